/**
 * The built-in kinds: namespaces, configmaps, secrets, events (core and events.k8s.io), leases, serviceaccounts; and,
 * stored and validated but not acted on (no pods run, no traffic is routed, no access is enforced), Services,
 * apps/v1 Deployments and RBAC objects, so that installation manifests apply as they would to a cluster.
 */
import type { StatusCause } from './errors.js';
import { invalidValue, required } from './errors.js';
import { ageOf } from './tables.js';
import type { BuiltinBehavior, KubeObject, PrinterColumn, ResourceType } from './types.js';
import { isObject, metadataOf, stringField } from './types.js';

const ageColumn: PrinterColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};

function age(object: KubeObject, now: number): string {
  return ageOf(metadataOf(object).creationTimestamp, now);
}

function builtinType(
  options: Omit<
    ResourceType,
    'versions' | 'bucket' | 'generation' | 'strategicMerge' | 'listKind' | 'shortNames' | 'categories'
  > & {
    version: string;
    statusSubresource?: boolean;
    shortNames?: string[];
    categories?: string[];
    bucket?: string;
  },
): ResourceType {
  return {
    group: options.group,
    plural: options.plural,
    singular: options.singular,
    kind: options.kind,
    listKind: `${options.kind}List`,
    namespaced: options.namespaced,
    shortNames: options.shortNames ?? [],
    categories: options.categories ?? [],
    versions: [
      {
        name: options.version,
        served: true,
        storage: true,
        printerColumns: [],
        statusSubresource: options.statusSubresource ?? false,
      },
    ],
    bucket: options.bucket ?? `${options.group}/${options.plural}`,
    generation: false,
    strategicMerge: true,
    builtin: options.builtin,
  };
}

const dataKeyPattern = /^[-._a-zA-Z0-9]+$/;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validateDataKeys(map: unknown, field: string, causes: StatusCause[], base64: boolean): string[] {
  if (map === undefined || map === null) return [];
  if (!isObject(map)) {
    causes.push(invalidValue(field, map, 'must be a map'));
    return [];
  }
  for (const [key, value] of Object.entries(map)) {
    if (key.length > 253 || !dataKeyPattern.test(key)) {
      causes.push(
        invalidValue(
          field,
          key,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or " +
            "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
        ),
      );
    }
    if (typeof value !== 'string') causes.push(invalidValue(`${field}[${key}]`, value, 'must be a string'));
    else if (base64 && !base64Pattern.test(value))
      causes.push(invalidValue(`${field}[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
  }
  return Object.keys(map);
}

function immutabilityCauses(object: KubeObject, previous: KubeObject | undefined, fields: string[]): StatusCause[] {
  if (!previous || previous.immutable !== true) return [];
  const causes: StatusCause[] = [];
  for (const field of fields) {
    if (JSON.stringify(object[field] ?? null) !== JSON.stringify(previous[field] ?? null)) {
      causes.push({
        reason: 'FieldValueForbidden',
        message: 'Forbidden: field is immutable when `immutable` is set',
        field,
      });
    }
  }
  if (object.immutable !== true)
    causes.push({
      reason: 'FieldValueForbidden',
      message: 'Forbidden: field is immutable when `immutable` is set',
      field: 'immutable',
    });
  return causes;
}

function countKeys(...maps: unknown[]): number {
  return maps.reduce<number>((total, map) => total + (isObject(map) ? Object.keys(map).length : 0), 0);
}

const namespaceBehavior: BuiltinBehavior = {
  prepare(object, previous) {
    if (!previous) {
      const spec = isObject(object.spec) ? object.spec : {};
      object.spec = { ...spec, finalizers: Array.isArray(spec.finalizers) ? spec.finalizers : ['kubernetes'] };
      object.status = { phase: 'Active' };
    }
  },
  columns: [{ name: 'Status', type: 'string', description: 'The status of the namespace', priority: 0 }, ageColumn],
  cells: (object, now) => [isObject(object.status) ? (object.status.phase ?? null) : null, age(object, now)],
  fieldLabels: {
    'status.phase': (object) => (isObject(object.status) ? stringField(object.status, 'phase') : undefined),
  },
  extraSubresources: ['finalize'],
};

const configMapBehavior: BuiltinBehavior = {
  validate(object, previous) {
    const causes: StatusCause[] = [];
    const dataKeys = validateDataKeys(object.data, 'data', causes, false);
    const binaryKeys = validateDataKeys(object.binaryData, 'binaryData', causes, true);
    for (const key of binaryKeys)
      if (dataKeys.includes(key))
        causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${key}"`, field: 'data' });
    causes.push(...immutabilityCauses(object, previous, ['data', 'binaryData']));
    return causes;
  },
  columns: [
    { name: 'Data', type: 'string', description: 'Data contains the configuration data.', priority: 0 },
    ageColumn,
  ],
  cells: (object, now) => [countKeys(object.data, object.binaryData), age(object, now)],
};

const secretBehavior: BuiltinBehavior = {
  prepare(object) {
    if (object.type === undefined || object.type === '') object.type = 'Opaque';
    if (isObject(object.stringData)) {
      const data: Record<string, unknown> = isObject(object.data) ? { ...object.data } : {};
      for (const [key, value] of Object.entries(object.stringData)) {
        data[key] = typeof value === 'string' ? Buffer.from(value, 'utf8').toString('base64') : value;
      }
      object.data = data;
    }
    delete object.stringData;
  },
  validate(object, previous) {
    const causes: StatusCause[] = [];
    validateDataKeys(object.data, 'data', causes, true);
    if (typeof object.type !== 'string') causes.push(invalidValue('type', object.type, 'must be a string'));
    if (previous && object.type !== previous.type)
      causes.push({
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${JSON.stringify(object.type)}: field is immutable`,
        field: 'type',
      });
    if (object.type === 'kubernetes.io/tls') {
      const data = isObject(object.data) ? object.data : {};
      for (const key of ['tls.crt', 'tls.key']) if (!(key in data)) causes.push(required(`data[${key}]`));
    }
    causes.push(...immutabilityCauses(object, previous, ['data']));
    return causes;
  },
  columns: [
    { name: 'Type', type: 'string', description: 'The type of the secret', priority: 0 },
    { name: 'Data', type: 'string', description: 'Data contains the secret data.', priority: 0 },
    ageColumn,
  ],
  cells: (object, now) => [object.type ?? 'Opaque', countKeys(object.data), age(object, now)],
  fieldLabels: { type: (object) => (typeof object.type === 'string' ? object.type : undefined) },
};

const leaseBehavior: BuiltinBehavior = {
  columns: [{ name: 'Holder', type: 'string', description: 'The holder of the lease', priority: 0 }, ageColumn],
  cells: (object, now) => [isObject(object.spec) ? (object.spec.holderIdentity ?? '') : '', age(object, now)],
};

const serviceAccountBehavior: BuiltinBehavior = {
  columns: [
    {
      name: 'Secrets',
      type: 'string',
      description: 'Secrets is a list of the secrets in the same namespace',
      priority: 0,
    },
    ageColumn,
  ],
  cells: (object, now) => [Array.isArray(object.secrets) ? object.secrets.length : 0, age(object, now)],
};

function involved(object: KubeObject): Record<string, unknown> {
  return isObject(object.involvedObject) ? object.involvedObject : {};
}

const eventFieldLabels: Record<string, (object: KubeObject) => string | undefined> = {
  'involvedObject.kind': (object) => stringField(involved(object), 'kind'),
  'involvedObject.namespace': (object) => stringField(involved(object), 'namespace'),
  'involvedObject.name': (object) => stringField(involved(object), 'name'),
  'involvedObject.uid': (object) => stringField(involved(object), 'uid'),
  'involvedObject.apiVersion': (object) => stringField(involved(object), 'apiVersion'),
  'involvedObject.resourceVersion': (object) => stringField(involved(object), 'resourceVersion'),
  'involvedObject.fieldPath': (object) => stringField(involved(object), 'fieldPath'),
  reason: (object) => stringField(object, 'reason'),
  reportingComponent: (object) => stringField(object, 'reportingComponent'),
  source: (object) => (isObject(object.source) ? stringField(object.source, 'component') : undefined),
  type: (object) => stringField(object, 'type'),
};

function eventCells(object: KubeObject, now: number): unknown[] {
  const target = involved(object);
  const last = object.lastTimestamp ?? object.eventTime ?? metadataOf(object).creationTimestamp;
  const first = object.firstTimestamp ?? object.eventTime ?? metadataOf(object).creationTimestamp;
  const source = isObject(object.source)
    ? [object.source.component, object.source.host].filter((part) => typeof part === 'string' && part).join(', ')
    : '';
  return [
    ageOf(last, now),
    object.type ?? '',
    object.reason ?? '',
    `${String(target.kind ?? '').toLowerCase()}/${String(target.name ?? '')}`,
    target.fieldPath ?? '',
    source || String(object.reportingComponent ?? ''),
    object.message ?? '',
    ageOf(first, now),
    object.count ?? 1,
    metadataOf(object).name ?? '',
  ];
}

const eventColumns: PrinterColumn[] = [
  { name: 'Last Seen', type: 'string', priority: 0 },
  { name: 'Type', type: 'string', priority: 0 },
  { name: 'Reason', type: 'string', priority: 0 },
  { name: 'Object', type: 'string', priority: 0 },
  { name: 'Subobject', type: 'string', priority: 1 },
  { name: 'Source', type: 'string', priority: 1 },
  { name: 'Message', type: 'string', priority: 0 },
  { name: 'First Seen', type: 'string', priority: 1 },
  { name: 'Count', type: 'string', priority: 1 },
  { name: 'Name', type: 'string', priority: 1 },
];

const coreEventBehavior: BuiltinBehavior = {
  validate(object) {
    const causes: StatusCause[] = [];
    if (object.involvedObject !== undefined && !isObject(object.involvedObject))
      causes.push(invalidValue('involvedObject', object.involvedObject, 'must be an object'));
    if (object.type !== undefined && object.type !== 'Normal' && object.type !== 'Warning') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(object.type)}: supported values: "Normal", "Warning"`,
        field: 'type',
      });
    }
    return causes;
  },
  columns: eventColumns,
  cells: eventCells,
  fieldLabels: eventFieldLabels,
};

/** Field pairs (events.k8s.io name, core name) mapped one to one. */
const eventFieldMap: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['related', 'related'],
  ['note', 'message'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['action', 'action'],
  ['eventTime', 'eventTime'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['series', 'series'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

const eventsV1Behavior: BuiltinBehavior = {
  toExternal(stored) {
    const external: KubeObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: stored.metadata };
    for (const [name, coreName] of eventFieldMap) if (stored[coreName] !== undefined) external[name] = stored[coreName];
    return external;
  },
  toStorage(external) {
    const stored: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: external.metadata };
    for (const [name, coreName] of eventFieldMap) if (external[name] !== undefined) stored[coreName] = external[name];
    return stored;
  },
  validate(object) {
    const causes: StatusCause[] = [];
    if (object.eventTime === undefined || object.eventTime === null) causes.push(required('eventTime'));
    if (object.type !== undefined && object.type !== 'Normal' && object.type !== 'Warning') {
      causes.push({
        reason: 'FieldValueNotSupported',
        message: `Unsupported value: ${JSON.stringify(object.type)}: supported values: "Normal", "Warning"`,
        field: 'type',
      });
    }
    return causes;
  },
  columns: eventColumns,
  cells: (object, now) => eventCells(eventsV1Behavior.toStorage?.(object) ?? object, now),
  fieldLabels: eventFieldLabels,
};

const deploymentBehavior: BuiltinBehavior = {
  columns: [
    { name: 'Ready', type: 'string', description: 'Number of the pod with ready state', priority: 0 },
    {
      name: 'Up-to-date',
      type: 'string',
      description:
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      priority: 0,
    },
    {
      name: 'Available',
      type: 'string',
      description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
      priority: 0,
    },
    ageColumn,
  ],
  cells: (object, now) => {
    const spec = isObject(object.spec) ? object.spec : {};
    const status = isObject(object.status) ? object.status : {};
    const count = (value: unknown) => (typeof value === 'number' ? value : 0);
    return [
      `${count(status.readyReplicas)}/${typeof spec.replicas === 'number' ? spec.replicas : 1}`,
      count(status.updatedReplicas),
      count(status.availableReplicas),
      age(object, now),
    ];
  },
};

const serviceBehavior: BuiltinBehavior = {
  columns: [
    { name: 'Type', type: 'string', description: 'type determines how the Service is exposed.', priority: 0 },
    { name: 'Cluster-IP', type: 'string', description: 'clusterIP is the IP address of the service.', priority: 0 },
    {
      name: 'Port(s)',
      type: 'string',
      description: 'The list of ports that are exposed by this service.',
      priority: 0,
    },
    ageColumn,
  ],
  cells: (object, now) => {
    const spec = isObject(object.spec) ? object.spec : {};
    const ports = Array.isArray(spec.ports)
      ? spec.ports.filter(isObject).map((port) => `${String(port.port)}/${String(port.protocol ?? 'TCP')}`)
      : [];
    return [
      String(spec.type ?? 'ClusterIP'),
      String(spec.clusterIP ?? '<none>'),
      ports.join(',') || '<none>',
      age(object, now),
    ];
  },
};

const roleBindingBehavior: BuiltinBehavior = {
  columns: [
    { name: 'Role', type: 'string', description: 'RoleRef references a Role or ClusterRole', priority: 0 },
    ageColumn,
  ],
  cells: (object, now) => {
    const roleRef = isObject(object.roleRef) ? object.roleRef : {};
    return [`${String(roleRef.kind ?? '')}/${String(roleRef.name ?? '')}`, age(object, now)];
  },
};

const roleBehavior: BuiltinBehavior = {
  columns: [
    {
      name: 'Created At',
      type: 'date',
      description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
      priority: 0,
    },
  ],
  cells: (object) => [metadataOf(object).creationTimestamp ?? ''],
};

/** Resource types of the built-in kinds (CRDs are added by the CRD module). */
export function builtinTypes(): ResourceType[] {
  return [
    builtinType({
      group: '',
      version: 'v1',
      plural: 'namespaces',
      singular: 'namespace',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      statusSubresource: true,
      builtin: namespaceBehavior,
    }),
    builtinType({
      group: '',
      version: 'v1',
      plural: 'configmaps',
      singular: 'configmap',
      kind: 'ConfigMap',
      namespaced: true,
      shortNames: ['cm'],
      builtin: configMapBehavior,
    }),
    builtinType({
      group: '',
      version: 'v1',
      plural: 'secrets',
      singular: 'secret',
      kind: 'Secret',
      namespaced: true,
      builtin: secretBehavior,
    }),
    builtinType({
      group: '',
      version: 'v1',
      plural: 'events',
      singular: 'event',
      kind: 'Event',
      namespaced: true,
      shortNames: ['ev'],
      builtin: coreEventBehavior,
    }),
    builtinType({
      group: '',
      version: 'v1',
      plural: 'serviceaccounts',
      singular: 'serviceaccount',
      kind: 'ServiceAccount',
      namespaced: true,
      shortNames: ['sa'],
      builtin: serviceAccountBehavior,
    }),
    builtinType({
      group: 'events.k8s.io',
      version: 'v1',
      plural: 'events',
      singular: 'event',
      kind: 'Event',
      namespaced: true,
      shortNames: ['ev'],
      bucket: '/events',
      builtin: eventsV1Behavior,
    }),
    builtinType({
      group: 'coordination.k8s.io',
      version: 'v1',
      plural: 'leases',
      singular: 'lease',
      kind: 'Lease',
      namespaced: true,
      builtin: leaseBehavior,
    }),
    builtinType({
      group: '',
      version: 'v1',
      plural: 'services',
      singular: 'service',
      kind: 'Service',
      namespaced: true,
      shortNames: ['svc'],
      categories: ['all'],
      statusSubresource: true,
      builtin: serviceBehavior,
    }),
    builtinType({
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      singular: 'deployment',
      kind: 'Deployment',
      namespaced: true,
      shortNames: ['deploy'],
      categories: ['all'],
      statusSubresource: true,
      builtin: deploymentBehavior,
    }),
    builtinType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'roles',
      singular: 'role',
      kind: 'Role',
      namespaced: true,
      builtin: roleBehavior,
    }),
    builtinType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'clusterroles',
      singular: 'clusterrole',
      kind: 'ClusterRole',
      namespaced: false,
      builtin: roleBehavior,
    }),
    builtinType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'rolebindings',
      singular: 'rolebinding',
      kind: 'RoleBinding',
      namespaced: true,
      builtin: roleBindingBehavior,
    }),
    builtinType({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      plural: 'clusterrolebindings',
      singular: 'clusterrolebinding',
      kind: 'ClusterRoleBinding',
      namespaced: false,
      builtin: roleBindingBehavior,
    }),
  ];
}

/** Namespaces that always exist. */
export const initialNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
