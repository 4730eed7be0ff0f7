/**
 * OpenAPI documents: `/openapi/v2` as an empty protobuf document (kubectl decodes it as "no schemas"), and
 * `/openapi/v3` (root + one document per group/version) with component schemas carrying
 * x-kubernetes-group-version-kind and PATCH operations advertising `fieldValidation`, so kubectl relies on the
 * server's field validation and `kubectl explain` works for custom resources.
 */
import { createHash } from 'node:crypto';
import type { Registry } from './registry.js';
import type { JSONSchemaProps } from './schema-api.js';
import { builtinSchemas, objectMetaSchema } from './schema-api.js';
import type { ResourceType, VersionSpec } from './types.js';
import { isObject } from './types.js';

/** The response type real servers use (the '@' form clients ask for is not a valid MIME type for Go's parser). */
export const openApiV2ContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function schemaName(type: ResourceType, version: string): string {
  if (type.builtin) {
    if (type.group === 'apiextensions.k8s.io')
      return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${type.kind}`;
    const short = type.group === '' ? 'core' : (type.group.split('.')[0] ?? type.group);
    return `io.k8s.api.${short}.${version}.${type.kind}`;
  }
  return `${type.group.split('.').reverse().join('.')}.${version}.${type.kind}`;
}

function kindSchema(type: ResourceType, version: VersionSpec): Record<string, unknown> {
  const base: JSONSchemaProps | undefined = type.builtin
    ? builtinSchemas[`${type.group}/${version.name}/${type.kind}`]
    : version.schema;
  const schema: Record<string, unknown> = base
    ? structuredClone(base)
    : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const properties = isObject(schema.properties) ? { ...schema.properties } : {};
  properties.apiVersion ??= {
    type: 'string',
    description:
      'APIVersion defines the versioned schema of this representation of an object. Servers should convert ' +
      'recognized schemas to the latest internal value, and may reject unrecognized values. More info: ' +
      'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources',
  };
  properties.kind ??= {
    type: 'string',
    description:
      'Kind is a string value representing the REST resource this object represents. Servers may infer this from ' +
      'the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: ' +
      'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds',
  };
  properties.metadata = {
    description:
      "Standard object's metadata. More info: " +
      'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    allOf: [{ $ref: `#/components/schemas/${objectMetaName}` }],
  };
  schema.properties = properties;
  schema.type ??= 'object';
  schema['x-kubernetes-group-version-kind'] = [{ group: type.group, version: version.name, kind: type.kind }];
  return schema;
}

function parameter(name: string, location: 'query' | 'path', description: string): Record<string, unknown> {
  return {
    name,
    in: location,
    description,
    ...(location === 'path' ? { required: true } : {}),
    schema: { type: location === 'path' ? 'string' : name === 'force' ? 'boolean' : 'string', uniqueItems: true },
  };
}

const writeParameters = [
  parameter('dryRun', 'query', 'When present, indicates that modifications should not be persisted.'),
  parameter(
    'fieldManager',
    'query',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  parameter(
    'fieldValidation',
    'query',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or ' +
      'duplicate fields. Valid values are: Ignore, Warn (default), Strict.',
  ),
];

function operations(
  type: ResourceType,
  version: VersionSpec,
  ref: string,
  item: boolean,
  subresource?: string,
): Record<string, unknown> {
  const gvk = { group: type.group, version: version.name, kind: type.kind };
  const id = `${type.kind}${subresource ? `_${subresource}` : ''}`;
  const ok = { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: ref } } } } };
  const common = { 'x-kubernetes-group-version-kind': gvk, responses: ok };
  if (!item) {
    return {
      get: { ...common, operationId: `list${id}`, 'x-kubernetes-action': 'list' },
      post: {
        ...common,
        operationId: `create${id}`,
        'x-kubernetes-action': 'post',
        parameters: writeParameters,
        requestBody: { content: { 'application/json': { schema: { $ref: ref } } }, required: true },
      },
      delete: { ...common, operationId: `deletecollection${id}`, 'x-kubernetes-action': 'deletecollection' },
    };
  }
  const patchTypes = [
    'application/json-patch+json',
    'application/merge-patch+json',
    ...(type.strategicMerge ? ['application/strategic-merge-patch+json'] : []),
    'application/apply-patch+yaml',
  ];
  return {
    get: { ...common, operationId: `read${id}`, 'x-kubernetes-action': 'get' },
    put: {
      ...common,
      operationId: `replace${id}`,
      'x-kubernetes-action': 'put',
      parameters: writeParameters,
      requestBody: { content: { 'application/json': { schema: { $ref: ref } } }, required: true },
    },
    patch: {
      ...common,
      operationId: `patch${id}`,
      'x-kubernetes-action': 'patch',
      parameters: [...writeParameters, parameter('force', 'query', 'Force is going to "force" Apply requests.')],
      requestBody: {
        content: Object.fromEntries(patchTypes.map((contentType) => [contentType, { schema: { type: 'object' } }])),
        required: true,
      },
    },
    ...(subresource ? {} : { delete: { ...common, operationId: `delete${id}`, 'x-kubernetes-action': 'delete' } }),
  };
}

/** The OpenAPI v3 document of one group/version, or undefined when nothing is served there. */
export function openApiV3Document(
  registry: Registry,
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = registry.inGroupVersion(group, version);
  if (served.length === 0) return undefined;
  const schemas: Record<string, unknown> = { [objectMetaName]: objectMetaSchema };
  const paths: Record<string, unknown> = {};
  const base = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  for (const { type, version: spec } of served) {
    const name = schemaName(type, spec.name);
    schemas[name] = kindSchema(type, spec);
    const ref = `#/components/schemas/${name}`;
    const prefix = type.namespaced ? `${base}/namespaces/{namespace}/${type.plural}` : `${base}/${type.plural}`;
    const scopeParameters = type.namespaced
      ? [parameter('namespace', 'path', 'object name and auth scope, such as for teams and projects')]
      : [];
    paths[prefix] = { parameters: scopeParameters, ...operations(type, spec, ref, false) };
    paths[`${prefix}/{name}`] = {
      parameters: [parameter('name', 'path', `name of the ${type.kind}`), ...scopeParameters],
      ...operations(type, spec, ref, true),
    };
    if (spec.statusSubresource) {
      paths[`${prefix}/{name}/status`] = {
        parameters: [parameter('name', 'path', `name of the ${type.kind}`), ...scopeParameters],
        ...operations(type, spec, ref, true, 'status'),
      };
    }
    if (type.namespaced)
      paths[`${base}/${type.plural}`] = {
        get: {
          'x-kubernetes-group-version-kind': { group: type.group, version: spec.name, kind: type.kind },
          operationId: `list${type.kind}ForAllNamespaces`,
          'x-kubernetes-action': 'list',
          responses: { '200': { description: 'OK' } },
        },
      };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.30.0' }, paths, components: { schemas } };
}

/** Caches v3 documents per registry generation, with content hashes for the root's serverRelativeURLs. */
export class OpenApiCache {
  private generation = -1;
  private documents = new Map<string, { body: string; hash: string }>();

  constructor(private readonly registry: Registry) {}

  private refresh(): void {
    if (this.generation === this.registry.generation) return;
    this.generation = this.registry.generation;
    this.documents = new Map();
    const groupVersions: Array<[string, string]> = [['', 'v1']];
    for (const group of this.registry.groups())
      for (const version of group.versions) groupVersions.push([group.name, version]);
    for (const [group, version] of groupVersions) {
      const document = openApiV3Document(this.registry, group, version);
      if (!document) continue;
      const body = JSON.stringify(document);
      const hash = createHash('sha512').update(body).digest('hex').slice(0, 64).toUpperCase();
      this.documents.set(group === '' ? `api/${version}` : `apis/${group}/${version}`, { body, hash });
    }
  }

  root(): Record<string, unknown> {
    this.refresh();
    const paths: Record<string, unknown> = {};
    for (const [path, document] of this.documents)
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${document.hash}` };
    return { paths };
  }

  /** The document at "api/v1" or "apis/g/v". */
  document(path: string): { body: string; hash: string } | undefined {
    this.refresh();
    return this.documents.get(path);
  }
}
