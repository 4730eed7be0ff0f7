/**
 * Stage 8: renders each kind's model file (`model/<group>/<Kind>.ts`, compact JSON in a typed module), the lazy
 * registry `model/index.ts`, and `model/SUMMARY.txt` (one line per kind, for reviewable diffs).
 */
import type { KindModel } from '../../../model/index.js';
import { isReferenceNode, specNameOf } from '../../../model/index.js';
import type { GeneratorState, Stage } from '../state.js';
import { generatedHeader } from '../state.js';
import { walkSchema } from '../walk.js';

/** `storage.azure.com` → `storage`. */
export const shortGroup = (group: string) => group.replace(/\.azure\.com$/, '');

/**
 * The model file of a kind-version, relative to the output dir: the hub's `<Kind>.ts`, others `<Kind>.<version>.ts`.
 */
export const modelFileOf = (model: KindModel) =>
  `model/${shortGroup(model.group)}/${model.kind}${model.hub === false ? `.${model.versions[0]}` : ''}.ts`;

/** Kind-versions in a stable order: by group/Kind, then api-version. */
export function sortModels(models: KindModel[]): KindModel[] {
  const key = (model: KindModel) => `${model.group}/${model.kind}`;
  return [...models].sort((a, b) => key(a).localeCompare(key(b)) || a.apiVersion.localeCompare(b.apiVersion));
}

/** The model module's text. */
export function renderModelFile(model: KindModel): string {
  return (
    `${generatedHeader('//')}\nimport type { KindModel } from '../../../src/model/types.js';\n\nconst ` +
    `model: KindModel = ${JSON.stringify(model)};\nexport default model;\n`
  );
}

/** An export in a summary line: `secret:<name><-<action>:<path>` (or `config:`, `armId:`, `<via>→`). */
function describeExport(entry: KindModel['exports'][number]): string {
  const kind = entry.secret ? 'secret' : 'config';
  const source = entry.action
    ? `${entry.action}:`
    : entry.from === 'armId'
      ? 'armId:'
      : entry.via
        ? `${entry.via}→`
        : '';
  return `${kind}:${entry.name}<-${source}${entry.path}`;
}

/** One summary line: the facts a reviewer checks when a kind changes. */
export function summaryLine(model: KindModel): string {
  const flagged = (flag: 'reference' | 'secret' | 'configMapInput') => {
    const names: string[] = [];
    walkSchema(model.body, ({ node, name, path }) => {
      if (name === undefined) return;
      const target = node.type === 'array' && node.items ? node.items : node;
      if (node.readOnly || !target[flag]) return;
      names.push(flag === 'reference' && isReferenceNode(node) ? `${path}→${specNameOf(name, node)}` : path);
    });
    return names;
  };
  const kept: string[] = [];
  walkSchema(model.body, ({ node, path }) => {
    if (node.flatten === false) kept.push(path);
  });
  const owners = model.owners.map((owner) => (owner === '*' ? '*' : `${owner.group}/${owner.kind}`)).join(',') || '-';
  const parts = [
    `${model.group}/${model.kind}`,
    model.versions.join(','),
    `${model.armType}@${model.apiVersion}`,
    ...(model.hub === false ? [] : ['hub']),
    ...(model.schemaApiVersion ? [`schema=${model.schemaApiVersion}(the type index lacks ${model.apiVersion})`] : []),
    `scope=${model.scope}`,
    `owners=${owners}`,
    ...(model.fixedName ? [`name=${model.fixedName}`] : []),
    ...(model.defaultAzureName === false ? ['azureName=no-default'] : []),
    ...(model.flatten === false ? ['flatten=no'] : []),
    ...(kept.length > 0 ? [`kept=[${kept.join(' ')}]`] : []),
    ...(model.inlineChildren ? [`children=[${model.inlineChildren.join(' ')}]`] : []),
    `refs=[${flagged('reference').join(' ')}]`,
    `secrets=[${flagged('secret').join(' ')}]`,
    `configMaps=[${flagged('configMapInput').join(' ')}]`,
    `exports=[${model.exports.map(describeExport).join(' ')}]`,
    ...(model.hooks.length > 0 ? [`hooks=[${model.hooks.join(' ')}]`] : []),
  ];
  return parts.join(' ');
}

/** ASO's pre-2.0 CRD version spelling, which no ASO release serves any longer. */
export const obsoleteSpelling =
  "every v1betaYYYYMMDD version: ASO's spelling before v2.0.0, which removed it; the api-version is served as " +
  'vYYYYMMDD and v1apiYYYYMMDD';

/** The stage itself (see the file comment); pure apart from what its description says. */
export const renderModels: Stage = {
  id: 'render-models',
  description: 'render model files, the lazy registry and the summary',
  summarize: (state) => {
    const files = Object.entries(state.files).filter(([path]) => path.startsWith('model/'));
    return `${files.length} files, ${files.reduce((sum, [, text]) => sum + text.length, 0)} bytes`;
  },
  run(state: GeneratorState): GeneratorState {
    const files = { ...state.files };
    const models = sortModels(state.kinds.map((work) => work.model));
    for (const model of models) files[modelFileOf(model)] = renderModelFile(model);
    const loader = (model: KindModel) =>
      `() => import('./${modelFileOf(model).slice('model/'.length, -'.ts'.length)}.js')`;
    const others = new Map<string, KindModel[]>();
    for (const model of models.filter((candidate) => candidate.hub === false)) {
      const key = `${model.group}/${model.kind}`;
      others.set(key, [...(others.get(key) ?? []), model]);
    }
    files['model/index.ts'] = [
      generatedHeader('//'),
      "import type { KindModel } from '../../src/model/types.js';",
      '',
      '/** Lazy loaders of every generated kind model, keyed `group/Kind`. */',
      'export const kindLoaders: Record<string, () => Promise<{ default: KindModel }>> = {',
      ...models
        .filter((model) => model.hub !== false)
        .map((model) => `  '${model.group}/${model.kind}': ${loader(model)},`),
      '};',
      '',
      '/** Lazy loaders of the other (non-hub) versions of multi-version kinds: `group/Kind` → CRD version → ' +
        'loader. */',
      'export const versionLoaders: Record<string, Record<string, () => Promise<{ default: KindModel }>>> = {',
      ...[...others]
        .map(([key, list]) => [
          `  '${key}': {`,
          ...list.map((model) => `    ${model.versions[0]}: ${loader(model)},`),
          '  },',
        ])
        .flat(),
      '};',
      '',
    ].join('\n');
    const unserved = (state.unserved ?? []).map(
      (entry) => `# not served: ${entry.group}.azure.com/${entry.kind} ${entry.apiVersion}: ${entry.reason}`,
    );
    unserved.push(`# not served: ${obsoleteSpelling}`);
    const unsourced = [...new Set(state.notes.filter((note) => note.includes(' has no source')))]
      .sort()
      .map((note) => `# export not offered: ${note.replace(' (add an override)', '')}`);
    const kindCount = new Set(models.map((model) => `${model.group}/${model.kind}`)).size;
    files['model/SUMMARY.txt'] = [
      generatedHeader('#'),
      `# ${kindCount} kinds at ${models.length} api-versions (each served as vYYYYMMDD and v1apiYYYYMMDD); ` +
        `hub = storage version`,
      ...models.map(summaryLine),
      ...unserved,
      ...unsourced,
      '',
    ].join('\n');
    return { ...state, files };
  },
};
