/**
 * Stage 3: trims resources embedded in another resource's body (a subnet inside a virtual network, a network
 * security group inside a subnet) to `{id}` with `id` a reference, as ASO's `…_SubResourceEmbedded` types do: the
 * embedded resource has its own kind, and the full tree would make the model and CRD huge. An embedded object is a
 * resource when its bicep type name is the singular of a resource type segment in the same file (`Subnet` ↔
 * `…/subnets`) and it has ARM's resource shape (`id` and a `properties` envelope). ASO's config keeps some whole:
 * `$isResource: false`, and `$resourceEmbeddedInParent: <parent>` inside that parent (a load balancer's frontend IP
 * configurations can only be created with it).
 */
import type { SchemaNode } from '../../../model/index.js';
import type { GeneratorState, KindWork, RawType, Stage } from '../state.js';
import { asoSectionFor, resourceTypeName, typeNameMatches } from './apply-aso-config.js';

/** Lower-case singular forms of the last segment of every resource type in a file. */
export function resourceSingulars(types: RawType[]): Set<string> {
  const result = new Set<string>();
  for (const type of types) {
    if (type.$type !== 'ResourceType') continue;
    const armType = String(type.name).split('@')[0] ?? '';
    const last = (armType.split('/').pop() ?? '').toLowerCase();
    if (armType.split('/').length < 2 || last === '') continue;
    if (last.endsWith('ies')) result.add(`${last.slice(0, -3)}y`);
    if (last.endsWith('es')) result.add(last.slice(0, -2));
    if (last.endsWith('s')) result.add(last.slice(0, -1));
  }
  return result;
}

/** The ASO type names (Go spelling) that stay whole in `work`'s kind (see the file comment). */
export function keptWhole(asoConfig: Record<string, unknown>, work: KindWork): string[] {
  const { group, kind, apiVersion } = work.request;
  const section = asoSectionFor(asoConfig, group, apiVersion, kind);
  if (!section) return [];
  const own = resourceTypeName(section.types, kind);
  const whole = (settings: Record<string, unknown> | undefined) =>
    settings?.$isResource === false || (own !== undefined && settings?.$resourceEmbeddedInParent === own);
  return Object.entries(section.types)
    .filter(([, settings]) => whole(settings))
    .map(([name]) => name);
}

/** Replaces an embedded resource's schema by `{id}` (a reference), keeping its description and read-only flag. */
export function trimToId(node: SchemaNode): void {
  const { description, readOnly } = node;
  for (const key of Object.keys(node) as Array<keyof SchemaNode>) delete node[key];
  node.type = 'object';
  if (description) node.description = description;
  if (readOnly) node.readOnly = true;
  node.properties = { id: { type: 'string', description: 'The ARM ID of the resource.', reference: true } };
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const trimEmbeddedResources: Stage = {
  id: 'trim-embedded-resources',
  description: 'trim resources embedded in other resources to {id}',
  summarize: (state) => `${state.notes.filter((note) => note.startsWith('trimmed:')).length} kinds trimmed`,
  run(state: GeneratorState): GeneratorState {
    const notes = [...state.notes];
    for (const work of state.kinds) {
      const singulars = resourceSingulars(state.typeFiles[work.typesFile] ?? []);
      const whole = keptWhole(state.asoConfig, work);
      const isWhole = (name: string) => whole.some((asoName) => typeNameMatches(asoName, name));
      let trimmed = 0;
      const visit = (node: SchemaNode, isRoot: boolean): void => {
        const name = work.typeNames.get(node);
        const embedded = name !== undefined && singulars.has(name.toLowerCase()) && !isWhole(name);
        if (!isRoot && node.type === 'object' && embedded && node.properties?.id && node.properties.properties) {
          trimToId(node);
          trimmed++;
          return;
        }
        for (const child of Object.values(node.properties ?? {})) visit(child, false);
        if (node.items) visit(node.items, false);
        if (node.additionalProperties) visit(node.additionalProperties, false);
        for (const variant of Object.values(node.discriminator?.variants ?? {})) visit(variant, false);
      };
      visit(work.model.body, true);
      if (trimmed > 0) notes.push(`trimmed: ${work.model.group}/${work.model.kind}: ${trimmed} embedded resources`);
    }
    return { ...state, notes };
  },
};
