/**
 * Stage 2: finds each kind's ResourceType, converts its body into the model's ARM body schema and derives the ARM
 * facts: scope (bicep writableScopes and the type's depth), owner kinds, fixed names, served versions.
 */
import type { ArmScope, KindModel, SchemaNode } from '../../../model/index.js';
import { versionNamesOf } from '../../../model/index.js';
import { BicepConverter, refIndex, ScopeBits } from '../bicep.js';
import { lookupIndex } from './read-inputs.js';
import { hubVersionOf } from '../aso-kinds.js';
import type { GeneratorState, KindRequest, KindWork, RawType, Stage } from '../state.js';
import { kubeGroup } from '../state.js';

/** The ARM scope of a type from its writable scopes and name depth. Children inherit their root's scope. */
export function scopeOf(writableScopes: number, armType: string): ArmScope {
  if (writableScopes & ScopeBits.Extension) return 'extension';
  if (armType.split('/').length > 2) return 'resourceGroup';
  if (writableScopes & ScopeBits.ResourceGroup) return 'resourceGroup';
  if (writableScopes & ScopeBits.Subscription) return 'subscription';
  return 'tenant';
}

/**
 * The owner kinds: the parent kind of a child, ResourceGroup for RG resources, any kind for extensions and for
 * children of a location (given by ARM ID).
 */
export function ownersOf(request: KindRequest, scope: ArmScope, all: KindRequest[]): KindModel['owners'] {
  if (scope === 'extension') return ['*'];
  const segments = request.armType.split('/');
  if (segments.length > 2) {
    const parentType = segments.slice(0, -1).join('/').toLowerCase();
    const parents = all.filter((candidate) => candidate.armType.toLowerCase() === parentType);
    // A location is no resource with a kind (Microsoft.Sql/locations/instanceFailoverGroups): its owner is an ARM ID.
    if (parents.length === 0 && segments.length === 3 && segments[1]?.toLowerCase() === 'locations') return ['*'];
    if (parents.length === 0)
      throw new Error(
        `${request.group}/${request.kind}: its parent type ${segments.slice(0, -1).join('/')} is not in the config`,
      );
    const keys = [...new Set(parents.map((parent) => `${kubeGroup(parent.group)}/${parent.kind}`))];
    return keys.map((key) => ({
      group: key.slice(0, key.lastIndexOf('/')),
      kind: key.slice(key.lastIndexOf('/') + 1),
    }));
  }
  if (scope === 'resourceGroup') return [{ group: 'resources.azure.com', kind: 'ResourceGroup' }];
  return [];
}

/**
 * A fixed resource name: the `name` property is a single string literal (e.g. `default`), also when the type
 * widens it to any string (Swagger's `modelAsString` on a one-value enum, as Storage's `managementPolicies`): Azure
 * and ASO use that one name.
 */
export function fixedNameOf(body: SchemaNode): string | undefined {
  return fixedNameOfNode(body.properties?.name);
}

/** The one value of a name node whose only literal is that value (see {@link fixedNameOf}). */
export function fixedNameOfNode(name: SchemaNode | undefined): string | undefined {
  return name?.enum?.length === 1 ? name.enum[0] : undefined;
}

/**
 * The hub (storage version) facts of a kind-version: the hub lists every served api-version; others say `hub: false`.
 */
export function hubFields(request: KindRequest, apiVersions: string[]): Pick<KindModel, 'hub' | 'servedApiVersions'> {
  if (hubVersionOf(apiVersions) !== request.apiVersion) return { hub: false };
  return apiVersions.length > 1 ? { servedApiVersions: apiVersions } : {};
}

/**
 * The loaded ResourceType of `armType@apiVersion` in the type index: its file, the file's types and its index.
 * Errors start with `who` (the kind asking).
 */
export function findResourceType(
  state: Pick<GeneratorState, 'typeIndex' | 'typeFiles'>,
  armType: string,
  apiVersion: string,
  who: string,
): { typesFile: string; types: RawType[]; resourceIndex: number; resource: RawType } {
  const typesFile = lookupIndex(state.typeIndex, armType)?.[apiVersion];
  const types = typesFile === undefined ? undefined : state.typeFiles[typesFile];
  if (typesFile === undefined || !types) throw new Error(`${who}: type file of ${armType}@${apiVersion} not loaded`);
  const wanted = `${armType}@${apiVersion}`.toLowerCase();
  const resourceIndex = types.findIndex(
    (type) => type.$type === 'ResourceType' && String(type.name).toLowerCase() === wanted,
  );
  const resource = types[resourceIndex];
  if (!resource) throw new Error(`${who}: ${wanted} not found in ${typesFile}`);
  return { typesFile, types, resourceIndex, resource };
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const resolveResources: Stage = {
  id: 'resolve-resources',
  description: 'find resource types; convert bodies; derive scope, owners, fixed names',
  summarize: (state) => {
    const scopes = new Map<string, number>();
    for (const work of state.kinds) scopes.set(work.model.scope, (scopes.get(work.model.scope) ?? 0) + 1);
    return `${state.kinds.length} kinds (${[...scopes].map(([scope, count]) => `${count} ${scope}`).join(', ')})`;
  },
  run(state: GeneratorState): GeneratorState {
    const versionsOfKind = new Map<string, string[]>();
    for (const request of state.config.kinds) {
      const key = `${request.group}/${request.kind}`;
      versionsOfKind.set(key, [...(versionsOfKind.get(key) ?? []), request.apiVersion].sort());
    }
    const kinds: KindWork[] = state.config.kinds.map((request) => {
      const schemaApiVersion = request.schemaApiVersion ?? request.apiVersion;
      const who = `${request.group}/${request.kind}`;
      const found = findResourceType(state, request.armType, schemaApiVersion, who);
      const { typesFile, types, resourceIndex, resource } = found;
      const armType = String(resource.name).split('@')[0] ?? request.armType;
      const typeNames = new Map<SchemaNode, string>();
      const body = new BicepConverter(types, typeNames).convert(refIndex(resource.body));
      const scope = scopeOf(Number(resource.writableScopes ?? 0), armType);
      const fixedName = fixedNameOf(body);
      const model: KindModel = {
        group: kubeGroup(request.group),
        kind: request.kind,
        versions: versionNamesOf(request.apiVersion),
        armType,
        apiVersion: request.apiVersion,
        ...(request.schemaApiVersion !== undefined ? { schemaApiVersion: request.schemaApiVersion } : {}),
        ...hubFields(request, versionsOfKind.get(`${request.group}/${request.kind}`) ?? [request.apiVersion]),
        scope,
        owners: ownersOf(request, scope, state.config.kinds),
        body,
        ...(fixedName !== undefined ? { fixedName } : {}),
        exports: [],
        hooks: [...(request.override?.hooks ?? [])],
      };
      return {
        request,
        typesFile,
        resourceIndex,
        typeNames,
        plainNodes: new Set<SchemaNode>(),
        asoExports: { secrets: [], configs: {} },
        model,
      };
    });
    return { ...state, kinds };
  },
};
