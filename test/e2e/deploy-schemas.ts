// Shapes of built-in Kubernetes kinds the embedded API server does not serve (apps/v1, rbac.authorization.k8s.io/v1),
// taken from @kubernetes/client-node's models (generated from Kubernetes' OpenAPI): a strict shape check for
// manifests, and stand-in CRDs so `kubectl apply --dry-run=server` can check RBAC objects against the same shapes.
import * as k8s from '@kubernetes/client-node';

interface Attribute {
  baseName: string;
  type: string;
  format: string;
}

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

function attributesOf(typeName: string): Attribute[] | undefined {
  return models[typeName]?.getAttributeTypeMap?.();
}

const arrayType = /^Array<(.+)>$/;
const mapType = /^\{ \[key: string\]: (.+); \}$/;

/** Fields Kubernetes requires that the client models do not mark (from the API reference). */
const requiredFields: Record<string, string[]> = {
  V1PolicyRule: ['verbs'],
  V1RoleRef: ['apiGroup', 'kind', 'name'],
  RbacV1Subject: ['kind', 'name'],
  V1RoleBinding: ['roleRef'],
  V1ClusterRoleBinding: ['roleRef'],
  V1Deployment: ['spec'],
  V1DeploymentSpec: ['selector', 'template'],
  V1PodSpec: ['containers'],
  V1Container: ['name'],
  V1EnvVar: ['name'],
  V1ContainerPort: ['containerPort'],
  V1HTTPGetAction: ['port'],
  V1VolumeMount: ['name', 'mountPath'],
  V1Volume: ['name'],
  V1ObjectFieldSelector: ['fieldPath'],
};

/** Every problem of `value` as a `typeName` (unknown fields, wrong types, missing required fields), with its path. */
export function shapeErrors(value: unknown, typeName: string, path = ''): string[] {
  const at = path === '' ? '(root)' : path;
  const array = arrayType.exec(typeName);
  if (array?.[1] !== undefined) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    const itemType = array[1];
    return value.flatMap((item, index) => shapeErrors(item, itemType, `${path}[${index}]`));
  }
  const map = mapType.exec(typeName);
  if (map?.[1] !== undefined) {
    if (!isRecord(value)) return [`${at}: expected a map`];
    const valueType = map[1];
    return Object.entries(value).flatMap(([key, item]) => shapeErrors(item, valueType, `${path}[${key}]`));
  }
  switch (typeName) {
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : [`${at}: expected a string, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
    case 'IntOrString':
      return typeof value === 'string' || Number.isInteger(value) ? [] : [`${at}: expected an integer or a string`];
    case 'any':
    case 'object':
      return [];
  }
  const attributes = attributesOf(typeName);
  if (attributes === undefined) return [`${at}: no client model named ${typeName}`];
  if (!isRecord(value)) return [`${at}: expected an object (${typeName})`];
  const byName = new Map(attributes.map((attribute) => [attribute.baseName, attribute]));
  const errors: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const attribute = byName.get(key);
    const child = path === '' ? key : `${path}.${key}`;
    if (attribute === undefined) errors.push(`${child}: unknown field of ${typeName}`);
    else errors.push(...shapeErrors(item, attribute.type, child));
  }
  for (const field of requiredFields[typeName] ?? []) if (value[field] === undefined) errors.push(`${path === '' ? field : `${path}.${field}`}: required`);
  return errors;
}

/** An OpenAPI v3 structural schema for a client model type (for a stand-in CRD). */
function schemaOf(typeName: string, depth = 0): Record<string, unknown> {
  if (depth > 12) throw new Error(`schema of ${typeName} nests too deeply`);
  const array = arrayType.exec(typeName);
  if (array?.[1] !== undefined) return { type: 'array', items: schemaOf(array[1], depth + 1) };
  const map = mapType.exec(typeName);
  if (map?.[1] !== undefined) return { type: 'object', additionalProperties: schemaOf(map[1], depth + 1) };
  switch (typeName) {
    case 'string':
      return { type: 'string' };
    case 'Date':
      return { type: 'string', format: 'date-time' };
    case 'number':
      return { type: 'integer' };
    case 'boolean':
      return { type: 'boolean' };
    case 'IntOrString':
      return { 'x-kubernetes-int-or-string': true };
    case 'any':
    case 'object':
      return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  const attributes = attributesOf(typeName);
  if (attributes === undefined) throw new Error(`no client model named ${typeName}`);
  const properties = Object.fromEntries(attributes
    .filter((attribute) => depth > 0 || !['apiVersion', 'kind', 'metadata'].includes(attribute.baseName))
    .map((attribute) => [attribute.baseName, schemaOf(attribute.type, depth + 1)]));
  const required = requiredFields[typeName];
  return { type: 'object', properties, ...(required !== undefined ? { required } : {}) };
}

/** The built-in kinds that stand-in CRDs can replace (a CRD's group needs a dot, so not apps/v1). */
export const rbacKinds = [
  { kind: 'Role', plural: 'roles', scope: 'Namespaced', model: 'V1Role' },
  { kind: 'ClusterRole', plural: 'clusterroles', scope: 'Cluster', model: 'V1ClusterRole' },
  { kind: 'RoleBinding', plural: 'rolebindings', scope: 'Namespaced', model: 'V1RoleBinding' },
  { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', scope: 'Cluster', model: 'V1ClusterRoleBinding' },
] as const;

/** CRDs that make rbac.authorization.k8s.io/v1 servable by an API server that lacks it, with the real kinds' shapes. */
export function rbacStandInCrds(): Array<Record<string, unknown>> {
  const group = 'rbac.authorization.k8s.io';
  return rbacKinds.map(({ kind, plural, scope, model }) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, annotations: { 'azo.dev/test-stand-in': `the API server does not serve ${group}/v1 ${kind}` } },
    spec: {
      group, scope,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schemaOf(model) } }],
    },
  }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
