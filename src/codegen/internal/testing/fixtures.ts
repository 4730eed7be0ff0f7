/**
 * Small hand-written inputs for the generator's unit tests: a bicep `types.json` of a fictional provider
 * (Microsoft.Test) and an ASO config section for it. Each rule of the generator has something here to act on.
 */
import type { GeneratorState, RawType } from '../state.js';
import { initialState } from '../pipeline.js';
import { parseCodegenConfig } from '../config.js';

const ref = (index: number) => ({ $ref: `#/${index}` });

/** Microsoft.Test types (indices matter: properties reference them). */
export const testTypes: RawType[] = [
  /* 0 */ { $type: 'StringType' },
  /* 1 */ { $type: 'StringType', minLength: 3, maxLength: 24, pattern: '^[a-z0-9]+$' },
  /* 2 */ { $type: 'StringLiteralType', value: 'Microsoft.Test/widgets' },
  /* 3 */ { $type: 'IntegerType', minValue: 1, maxValue: 10 },
  /* 4 */ { $type: 'StringLiteralType', value: 'A' },
  /* 5 */ { $type: 'StringLiteralType', value: 'B' },
  /* 6 */ { $type: 'UnionType', elements: [ref(4), ref(5)] },
  /* 7 */ { $type: 'UnionType', elements: [ref(4), ref(5), ref(0)] },
  /* 8 */ { $type: 'StringType', sensitive: true },
  /* 9 */ {
    $type: 'ObjectType',
    name: 'SubResource',
    properties: { id: { type: ref(0), flags: 0, description: 'Resource ID.' } },
  },
  /* 10 */ { $type: 'ObjectType', name: 'WidgetTags', properties: {}, additionalProperties: ref(0) },
  /* 11 */ { $type: 'AnyType' },
  /* 12 */ { $type: 'StringLiteralType', value: 'Periodic' },
  /* 13 */ { $type: 'StringLiteralType', value: 'Continuous' },
  /* 14 */ {
    $type: 'ObjectType',
    name: 'PeriodicPolicy',
    properties: { kind: { type: ref(12), flags: 1 }, intervalInMinutes: { type: ref(3), flags: 0 } },
  },
  /* 15 */ {
    $type: 'ObjectType',
    name: 'ContinuousPolicy',
    properties: { kind: { type: ref(13), flags: 1 }, tier: { type: ref(0), flags: 0 } },
  },
  /* 16 */ {
    $type: 'DiscriminatedObjectType',
    name: 'BackupPolicy',
    discriminator: 'kind',
    baseProperties: { migrationState: { type: ref(0), flags: 2 } },
    elements: { Periodic: ref(14), Continuous: ref(15) },
  },
  /* 17 */ { $type: 'ObjectType', name: 'GadgetProperties', properties: { size: { type: ref(3), flags: 0 } } },
  /* 18 */ {
    $type: 'ObjectType',
    name: 'Gadget',
    properties: {
      id: { type: ref(0), flags: 0 },
      name: { type: ref(0), flags: 0 },
      properties: { type: ref(17), flags: 0 },
    },
  },
  /* 19 */ { $type: 'ArrayType', itemType: ref(0), minLength: 1, maxLength: 5 },
  /* 20 */ {
    $type: 'ObjectType',
    name: 'WidgetProperties',
    properties: {
      size: { type: ref(3), flags: 1, description: 'The size.' },
      mode: { type: ref(6), flags: 0 },
      tier: { type: ref(7), flags: 0 },
      subnetId: { type: ref(0), flags: 0, description: 'The resource ID of the subnet.' },
      password: { type: ref(8), flags: 4 },
      tenantId: { type: ref(0), flags: 0 },
      provisioningState: { type: ref(0), flags: 2 },
      primaryEndpoint: { type: ref(0), flags: 2 },
      network: { type: ref(9), flags: 0 },
      backupPolicy: { type: ref(16), flags: 0 },
      labels: { type: ref(10), flags: 0 },
      extra: { type: ref(11), flags: 0 },
      gadget: { type: ref(18), flags: 0 },
      dnsServers: { type: ref(19), flags: 0 },
      gadgets: { type: ref(38), flags: 0 },
    },
  },
  /* 21 */ { $type: 'ObjectType', name: 'UserIdentity', properties: { principalId: { type: ref(0), flags: 2 } } },
  /* 22 */ {
    $type: 'ObjectType',
    name: 'IdentityUserAssignedIdentities',
    properties: {},
    additionalProperties: ref(21),
  },
  /* 23 */ {
    $type: 'ObjectType',
    name: 'Identity',
    properties: { type: { type: ref(0), flags: 1 }, userAssignedIdentities: { type: ref(22), flags: 0 } },
  },
  /* 24 */ {
    $type: 'ObjectType',
    name: 'Microsoft.Test/widgets',
    properties: {
      id: { type: ref(0), flags: 10 },
      name: { type: ref(1), flags: 9 },
      type: { type: ref(2), flags: 10 },
      location: { type: ref(0), flags: 1 },
      tags: { type: ref(10), flags: 0 },
      identity: { type: ref(23), flags: 0 },
      properties: { type: ref(20), flags: 1 },
    },
  },
  /* 25 */ {
    $type: 'ResourceType',
    name: 'Microsoft.Test/widgets@2024-01-01',
    body: ref(24),
    readableScopes: 8,
    writableScopes: 8,
  },
  /* 26 */ { $type: 'StringLiteralType', value: 'default' },
  /* 27 */ {
    $type: 'ObjectType',
    name: 'Microsoft.Test/widgets/gadgets',
    properties: {
      id: { type: ref(0), flags: 10 },
      name: { type: ref(26), flags: 9 },
      properties: { type: ref(17), flags: 0 },
    },
  },
  /* 28 */ {
    $type: 'ResourceType',
    name: 'Microsoft.Test/widgets/gadgets@2024-01-01',
    body: ref(27),
    readableScopes: 8,
    writableScopes: 8,
  },
  /* 29 */ {
    $type: 'ObjectType',
    name: 'LockProperties',
    properties: { level: { type: ref(6), flags: 1 }, notes: { type: ref(0), flags: 0 } },
  },
  /* 30 */ {
    $type: 'ObjectType',
    name: 'Microsoft.Test/locks',
    properties: {
      id: { type: ref(0), flags: 10 },
      name: { type: ref(0), flags: 9 },
      properties: { type: ref(29), flags: 1 },
    },
  },
  /* 31 */ {
    $type: 'ResourceType',
    name: 'Microsoft.Test/locks@2024-01-01',
    body: ref(30),
    readableScopes: 31,
    writableScopes: 31,
  },
  /* 32 */ {
    $type: 'ObjectType',
    name: 'AccountKey',
    properties: { keyName: { type: ref(0), flags: 2 }, value: { type: ref(0), flags: 2 } },
  },
  /* 33 */ { $type: 'ArrayType', itemType: ref(32) },
  /* 34 */ {
    $type: 'ObjectType',
    name: 'ListKeysResult',
    properties: { keys: { type: ref(33), flags: 2 }, primaryKey: { type: ref(0), flags: 2 } },
  },
  /* 35 */ {
    $type: 'ResourceFunctionType',
    name: 'listKeys',
    resourceType: 'Microsoft.Test/widgets',
    apiVersion: '2024-01-01',
    output: ref(34),
  },
  /* 36 */ {
    $type: 'ObjectType',
    name: 'Microsoft.Test/groups',
    properties: {
      id: { type: ref(0), flags: 10 },
      name: { type: ref(0), flags: 9 },
      location: { type: ref(0), flags: 1 },
    },
  },
  /* 37 */ {
    $type: 'ResourceType',
    name: 'Microsoft.Test/groups@2024-01-01',
    body: ref(36),
    readableScopes: 4,
    writableScopes: 4,
  },
  /* 38 */ { $type: 'ArrayType', itemType: ref(18) },
];

/** The fixture's azure-types INDEX.json. */
export const testIndex: Record<string, Record<string, string>> = {
  'Microsoft.Test/widgets': { '2024-01-01': 'test/microsoft.test/2024-01-01/types.json' },
  'Microsoft.Test/widgets/gadgets': { '2024-01-01': 'test/microsoft.test/2024-01-01/types.json' },
  'Microsoft.Test/locks': { '2024-01-01': 'test/microsoft.test/2024-01-01/types.json' },
  'Microsoft.Test/groups': { '2024-01-01': 'test/microsoft.test/2024-01-01/types.json' },
};

/** The fixture's codegen config. */
export const testConfigText = `
inputs: { azureTypes: ./types, asoConfig: ./aso.yaml }
groups:
  resources:
    apiVersion: 2024-01-01
    kinds:
      ResourceGroup: Microsoft.Test/groups
  test:
    apiVersion: 2024-01-01
    kinds:
      Widget: Microsoft.Test/widgets
      WidgetsGadget: Microsoft.Test/widgets/gadgets
      Lock: Microsoft.Test/locks
publishedApiVersions:
  Microsoft.Test:
    reason: versions the fixture index leaves out
    versions: ['2023-01-01', '2024-06-01-preview']
overrides:
  test/Lock:
    reason: test of overrides
    configMapInputs: [properties.notes]
    hooks: [lockHook]
`;

/** The fixture's ASO config (objectModelConfiguration section only). */
export const testAsoConfig: Record<string, unknown> = {
  objectModelConfiguration: {
    test: {
      '2023-01-01': { Widget: { $exportAs: 'Widget' } },
      '2024-01-01': {
        Widget: {
          $exportAs: 'Widget',
          $azureGeneratedSecrets: ['PrimaryKey', 'PrimaryEndpoint'],
          $generatedConfigs: { PrimaryEndpoint: '$.Status.PrimaryEndpoint' },
        },
        WidgetProperties: {
          TenantId: { $importConfigMapMode: 'optional' },
          Password: { $isSecret: true },
          Gadgets: { $resourceLifecycleOwnedByParent: 'Widget' },
        },
        Lock: { $exportAs: 'Lock', $defaultAzureName: false },
        LockProperties: { Notes: { $referenceType: 'simple' } },
        Lock_Spec: { Level: { $renameTo: 'LockLevel' } },
      },
    },
  },
};

/** A state as the read-inputs stage would leave it for the fixture. */
export function fixtureState(): GeneratorState {
  const state = initialState({ repoRoot: '/nonexistent', configPath: 'codegen.config.yaml', outDir: 'generated' });
  return {
    ...state,
    config: parseCodegenConfig(testConfigText),
    typeIndex: testIndex,
    typeFiles: { 'test/microsoft.test/2024-01-01/types.json': testTypes },
    asoConfig: testAsoConfig,
  };
}

/** The fixture state after running every stage from the second up to and including `stageId` (no file I/O). */
export async function fixtureAfter(stageId: string): Promise<GeneratorState> {
  const { stages, runStages } = await import('../pipeline.js');
  const end = stages.findIndex((stage) => stage.id === stageId);
  if (end < 1) throw new Error(`no stage ${stageId} after read-inputs`);
  return runStages(fixtureState(), stages.slice(1, end + 1));
}

/** The model of a fixture kind in a state. */
export function fixtureModel(state: GeneratorState, kind: string) {
  const work = state.kinds.find((candidate) => candidate.model.kind === kind);
  if (!work) throw new Error(`no fixture kind ${kind}`);
  return work.model;
}
