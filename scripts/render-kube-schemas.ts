/**
 * Renders the schemas of the built-in kinds the embedded API server stores without running them (v1 Service, apps/v1
 * Deployment,
 * rbac.authorization.k8s.io/v1 roles and bindings) from @kubernetes/client-node's models, which are generated from
 * Kubernetes' own OpenAPI. The output is committed; `npm run generate` runs this, and a test checks it is current.
 * Usage: node --import tsx scripts/render-kube-schemas.ts [--out FILE]
 */
import * as k8s from '@kubernetes/client-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Attribute {
  baseName: string;
  type: string;
}

type Schema = Record<string, unknown>;

const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

/** The kinds rendered: the key the API server's schema table uses, and the client model. */
export const renderedKinds = [
  {
    key: 'apps/v1/Deployment',
    model: 'V1Deployment',
    description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
  },
  {
    key: '/v1/Service',
    model: 'V1Service',
    description:
      'Service is a named abstraction of software service (for example, mysql) consisting of local port (for ' +
      'example 3306) that the proxy listens on, and the selector that determines which pods will answer requests ' +
      'sent through the proxy.',
  },
  {
    key: 'rbac.authorization.k8s.io/v1/Role',
    model: 'V1Role',
    description:
      'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
  },
  {
    key: 'rbac.authorization.k8s.io/v1/ClusterRole',
    model: 'V1ClusterRole',
    description:
      'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a ' +
      'RoleBinding or ClusterRoleBinding.',
  },
  {
    key: 'rbac.authorization.k8s.io/v1/RoleBinding',
    model: 'V1RoleBinding',
    description:
      'RoleBinding references a role, but does not contain it. It adds who information via Subjects and ' +
      'namespace information by which namespace it exists in.',
  },
  {
    key: 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    model: 'V1ClusterRoleBinding',
    description:
      'ClusterRoleBinding references a ClusterRole, but not contain it. It can reference a ClusterRole in the ' +
      'global namespace, and adds who information via Subject.',
  },
] as const;

/** Fields Kubernetes requires that the client models do not mark (from the API reference). */
const requiredFields: Record<string, string[]> = {
  V1PolicyRule: ['verbs'],
  V1RoleRef: ['apiGroup', 'kind', 'name'],
  RbacV1Subject: ['kind', 'name'],
  V1RoleBinding: ['roleRef'],
  V1ClusterRoleBinding: ['roleRef'],
  V1DeploymentSpec: ['selector', 'template'],
  V1PodSpec: ['containers'],
  V1Container: ['name'],
  V1EphemeralContainer: ['name'],
  V1EnvVar: ['name'],
  V1ContainerPort: ['containerPort'],
  V1HTTPGetAction: ['port'],
  V1VolumeMount: ['name', 'mountPath'],
  V1Volume: ['name'],
  V1ObjectFieldSelector: ['fieldPath'],
  V1KeyToPath: ['key', 'path'],
  V1ServicePort: ['port'],
};

/** Lists that strategic merge patch and server-side apply merge by key, as Kubernetes' OpenAPI marks them. */
const mergeKeys: Record<string, string> = {
  'V1PodSpec.containers': 'name',
  'V1PodSpec.initContainers': 'name',
  'V1PodSpec.ephemeralContainers': 'name',
  'V1PodSpec.volumes': 'name',
  'V1PodSpec.imagePullSecrets': 'name',
  'V1PodSpec.tolerations': '',
  'V1Container.env': 'name',
  'V1Container.ports': 'containerPort',
  'V1Container.volumeMounts': 'mountPath',
  'V1DeploymentStatus.conditions': 'type',
  'V1ServiceSpec.ports': 'port',
};

/** Quantities (`cpu: 1`, `memory: 256Mi`) are integers or strings. */
const quantityMaps = new Set(['V1ResourceRequirements.limits', 'V1ResourceRequirements.requests']);

const arrayType = /^Array<(.+)>$/;
const mapType = /^\{ \[key: string\]: (.+); \}$/;

function schemaOf(typeName: string, field: string, depth: number): Schema {
  if (depth > 16) throw new Error(`${typeName} nests too deeply`);
  const array = arrayType.exec(typeName);
  if (array?.[1] !== undefined) {
    const items = schemaOf(array[1], field, depth + 1);
    const schema: Schema = { type: 'array', items };
    const key = mergeKeys[field];
    if (key === undefined || key === '') return { ...schema, 'x-kubernetes-list-type': 'atomic' };
    Object.assign(schema, { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': key });
    // Server-side apply keys a map list by a required field; where Kubernetes leaves the key optional, the list
    // stays atomic for apply (strategic merge still merges it by the key).
    const required = Array.isArray(items['required']) ? (items['required'] as string[]) : [];
    if (required.includes(key))
      Object.assign(schema, { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': [key] });
    else schema['x-kubernetes-list-type'] = 'atomic';
    return schema;
  }
  const map = mapType.exec(typeName);
  if (map?.[1] !== undefined) {
    const values = quantityMaps.has(field)
      ? { 'x-kubernetes-int-or-string': true }
      : schemaOf(map[1], field, depth + 1);
    return { type: 'object', additionalProperties: values };
  }
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
    case 'V1ObjectMeta':
      return { $objectMeta: true };
  }
  const attributes = models[typeName]?.getAttributeTypeMap?.();
  if (attributes === undefined) throw new Error(`@kubernetes/client-node has no model ${typeName}`);
  const properties = Object.fromEntries(
    attributes.map((attribute) => [
      attribute.baseName,
      schemaOf(attribute.type, `${typeName}.${attribute.baseName}`, depth + 1),
    ]),
  );
  const required = requiredFields[typeName];
  return { type: 'object', properties, ...(required !== undefined ? { required } : {}) };
}

/** The module text: one schema per kind; `{ $objectMeta: true }` marks where the server puts its ObjectMeta schema. */
export function renderKubeSchemas(): string {
  const schemas = Object.fromEntries(
    renderedKinds.map(({ key, model, description }) => [key, { description, ...schemaOf(model, model, 0) }]),
  );
  return [
    `// Generated by scripts/render-kube-schemas.ts from @kubernetes/client-node ${clientVersion()} ` +
      `models. Do not edit.`,
    `export const renderedBuiltinSchemas: Record<string, Record<string, unknown>> = ${JSON.stringify(schemas)};`,
    '',
  ].join('\n');
}

function clientVersion(): string {
  const manifest = createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const defaultOut = fileURLToPath(new URL('../src/kube/internal/schema/rendered-builtins.ts', import.meta.url));

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? defaultOut) : defaultOut;
  writeFileSync(out, renderKubeSchemas());
  console.log(`wrote ${renderedKinds.length} schemas to ${out}`);
}
