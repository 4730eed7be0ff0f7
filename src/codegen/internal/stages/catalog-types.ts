/**
 * Stage 11: the catalog of every ARM type of the providers azo models (`catalog.ts`): each type's published
 * api-versions (the type index's, plus the config's `publishedApiVersions` of its provider, which the index
 * snapshot leaves out) and, for singleton types, the one name Azure allows (a name that is a single string
 * literal, e.g. `default`). The emulator answers every version listed here and refuses others with the list.
 */
import type { ArmCatalog } from '../../../model/index.js';
import { BicepConverter, refIndex } from '../bicep.js';
import type { GeneratorState, RawType, Stage } from '../state.js';
import { generatedHeader } from '../state.js';
import { fixedNameOfNode } from './resolve-resources.js';

/** The path of the catalog, relative to the output dir. */
export const catalogFile = 'catalog.ts';

/** The provider namespaces (lower case) of the configured kinds: the catalog covers every type of these. */
export function catalogNamespaces(armTypes: string[]): Set<string> {
  return new Set(armTypes.map((armType) => (armType.split('/')[0] ?? '').toLowerCase()));
}

/** The fixed names of the singleton types defined in one types.json file: ARM type → name. */
export function fixedNamesIn(types: RawType[]): Map<string, string> {
  const names = new Map<string, string>();
  const converter = new BicepConverter(types, new Map());
  for (const type of types) {
    if (type.$type !== 'ResourceType') continue;
    const body = converter.type(refIndex(type.body));
    const nameProperty = (body.properties as Record<string, { type: unknown }> | undefined)?.name;
    if (nameProperty === undefined) continue;
    const fixed = fixedNameOfNode(converter.convert(refIndex(nameProperty.type)));
    if (fixed !== undefined) names.set(String(type.name).split('@')[0] ?? '', fixed);
  }
  return names;
}

/** Builds the catalog from the type index, the loaded type files and the published versions by namespace. */
export function buildCatalog(state: GeneratorState): ArmCatalog {
  const namespaces = catalogNamespaces(state.config.kinds.map((kind) => kind.armType));
  const published = new Map(
    Object.entries(state.config.publishedApiVersions ?? {}).map(([namespace, versions]) => [
      namespace.toLowerCase(),
      versions,
    ]),
  );
  const fixedNames = new Map<string, string>();
  for (const types of Object.values(state.typeFiles)) {
    for (const [armType, name] of fixedNamesIn(types)) fixedNames.set(armType.toLowerCase(), name);
  }
  const versionLists: string[][] = [];
  const listIndex = new Map<string, number>();
  const types: ArmCatalog['types'] = {};
  for (const armType of Object.keys(state.typeIndex).sort()) {
    const namespace = (armType.split('/')[0] ?? '').toLowerCase();
    if (!namespaces.has(namespace)) continue;
    const versions = [
      ...new Set([...Object.keys(state.typeIndex[armType] ?? {}), ...(published.get(namespace) ?? [])]),
    ].sort();
    const key = versions.join(',');
    let index = listIndex.get(key);
    if (index === undefined) {
      index = versionLists.push(versions) - 1;
      listIndex.set(key, index);
    }
    const fixedName = fixedNames.get(armType.toLowerCase());
    types[armType] = { versions: index, ...(fixedName !== undefined ? { fixedName } : {}) };
  }
  return { versionLists, types };
}

/** The catalog module's text: one line per version list and per type, for reviewable diffs. */
export function renderCatalog(catalog: ArmCatalog): string {
  const lines = [
    generatedHeader('//'),
    "import type { ArmCatalog } from '../src/model/types.js';",
    '',
    'const catalog: ArmCatalog = {',
    '  versionLists: [',
    ...catalog.versionLists.map((versions) => `    ${JSON.stringify(versions)},`),
    '  ],',
    '  types: {',
    ...Object.entries(catalog.types).map(
      ([armType, entry]) => `    ${JSON.stringify(armType)}: ${JSON.stringify(entry)},`,
    ),
    '  },',
    '};',
    'export default catalog;',
    '',
  ];
  return lines.join('\n');
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const catalogTypes: Stage = {
  id: 'catalog-types',
  description: 'catalog every type of the modelled providers: api-versions and fixed names',
  summarize: (state) => {
    const text = state.files[catalogFile] ?? '';
    return `${(text.match(/^ {4}"[^"]+": \{/gm) ?? []).length} types, ${Buffer.byteLength(text)} bytes`;
  },
  run(state: GeneratorState): GeneratorState {
    return { ...state, files: { ...state.files, [catalogFile]: renderCatalog(buildCatalog(state)) } };
  },
};
