/**
 * The kinds ASO serves that are not ARM resources and whose schema azo therefore writes by hand, as ASO does (its
 * `entra: v1: SecurityGroup` in azure-arm.yaml is marked `# Handcrafted`: there is no type definition to generate
 * from), and its database users (handcrafted-db-users.ts). Each entry replaces the kind's "not served" line; the stage
 * below adds its model to the generated output. Keep the schemas equal to ASO's API reference
 * (https://azure.github.io/azure-service-operator/reference/entra/v1).
 */
import type { KindModel, SchemaNode } from '../../model/index.js';
import { conditionSchema } from '../../model/index.js';
import { databaseUserKinds } from './handcrafted-db-users.js';
import type { GeneratorState, KindWork, Stage } from './state.js';

const text = (description: string): SchemaNode => ({ type: 'string', description });

const configMapDestination: SchemaNode = {
  type: 'object',
  description: 'The ConfigMap key to write the group ID to (created or updated by the operator).',
  required: ['name', 'key'],
  properties: { name: text('The name of the ConfigMap.'), key: text('The key in the ConfigMap.') },
};

const configMaps: SchemaNode = {
  type: 'object',
  description: 'ConfigMaps the operator writes.',
  properties: { entraID: { ...configMapDestination, description: 'Where to write the Entra object ID of the group.' } },
};

/** Microsoft Graph's group as the emulator and the operator exchange it (the properties ASO sets or reads). */
const graphGroupBody: SchemaNode = {
  type: 'object',
  required: ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled'],
  properties: {
    id: { type: 'string', readOnly: true },
    displayName: { type: 'string' },
    mailNickname: { type: 'string', maxLength: 64 },
    description: { type: 'string' },
    groupTypes: { type: 'array', items: { type: 'string', enum: ['Unified', 'DynamicMembership'] } },
    isAssignableToRole: { type: 'boolean' },
    mailEnabled: { type: 'boolean' },
    securityEnabled: { type: 'boolean' },
    mail: { type: 'string', readOnly: true },
  },
};

const securityGroupSpec: SchemaNode = {
  type: 'object',
  required: ['displayName', 'mailNickname'],
  properties: {
    displayName: text('The display name of the group.'),
    mailNickname: text(
      'The email address of the group, as a mail nickname (mygroup) or a full address (mygroup@mydomain.com).',
    ),
    description: text('The description of the group.'),
    isAssignableToRole: { type: 'boolean', description: 'Whether the group can be assigned to a role.' },
    membershipType: {
      type: 'string',
      description:
        'assigned (default), dynamic, assignedm365 or dynamicm365 (Microsoft 365). ASO also accepts enabled and ' +
        'enabledm365, which it treats as assigned.',
      enum: ['assigned', 'assignedm365', 'dynamic', 'dynamicm365', 'enabled', 'enabledm365'],
    },
    operatorSpec: {
      type: 'object',
      description: 'The operator specific configuration for the resource.',
      properties: {
        creationMode: {
          type: 'string',
          description:
            'AdoptOrCreate (default): adopt the one existing group with the same display name, else create one; ' +
            'AlwaysCreate: always create a new group.',
          enum: ['AdoptOrCreate', 'AlwaysCreate'],
        },
        // ASO spells it `configmaps`; every other azo kind `configMaps`: both are accepted.
        configmaps: configMaps,
        configMaps,
      },
    },
  },
};

const securityGroupStatus: SchemaNode = {
  type: 'object',
  properties: {
    conditions: { type: 'array', description: 'The observed state of the resource.', items: conditionSchema() },
    // Not in ASO's status: every azo kind has it (kstatus reads it).
    observedGeneration: { type: 'integer', description: 'The metadata.generation the conditions describe.' },
    description: text('The description of the group.'),
    displayName: text('The display name of the group.'),
    entraID: text('The GUID identifying the group in Entra.'),
    groupEmailAddress: text('The email address (mail nickname) of the group.'),
  },
};

/** The hand-written models, keyed by ASO's short group and kind. */
export const handcraftedKinds: Record<string, KindModel> = {
  'entra/SecurityGroup': {
    group: 'entra.azure.com',
    kind: 'SecurityGroup',
    versions: ['v1'],
    armType: 'Microsoft.Graph/groups',
    apiVersion: 'v1.0',
    scope: 'tenant',
    owners: [],
    body: graphGroupBody,
    exports: [{ name: 'entraID', from: 'status', path: 'id', secret: false }],
    hooks: [],
    handcrafted: { api: 'graph', spec: securityGroupSpec, status: securityGroupStatus },
  },
  ...databaseUserKinds,
};

function workOf(model: KindModel): KindWork {
  const group = model.group.replace(/\.azure\.com$/, '');
  return {
    request: { group, kind: model.kind, armType: model.armType, apiVersion: model.apiVersion },
    typesFile: '',
    resourceIndex: -1,
    typeNames: new Map(),
    plainNodes: new Set(),
    asoExports: { secrets: [], configs: {} },
    model,
  };
}

/** Adds the hand-written kind of each "not served" entry that has one, and drops that entry. */
export const addHandcraftedKinds: Stage = {
  id: 'add-handcrafted-kinds',
  description: 'add the hand-written models of non-ARM kinds',
  summarize: (state) => `${state.kinds.filter((work) => work.model.handcrafted).length} kinds`,
  run(state: GeneratorState): GeneratorState {
    const unserved = state.unserved ?? [];
    const added: KindWork[] = [];
    const left = unserved.filter((entry) => {
      const model = handcraftedKinds[`${entry.group}/${entry.kind}`];
      if (model !== undefined) added.push(workOf(model));
      return model === undefined;
    });
    return added.length === 0 ? state : { ...state, kinds: [...state.kinds, ...added], unserved: left };
  },
};
