/**
 * Stage 10: renders TypeScript declarations per group (`types/<group>.ts`), the shapes several groups share
 * (`types/shared.ts`) and `types/index.ts`.
 */
import type { GeneratorState, Stage } from '../state.js';
import { generatedHeader } from '../state.js';
import { renderTypeFiles, sharedTypesFile } from '../render/types.js';
import { shortGroup } from './render-models.js';

/** The stage itself (see the file comment); pure apart from what its description says. */
export const renderTypes: Stage = {
  id: 'render-types',
  description: 'render TypeScript declarations of spec and status',
  summarize: (state) => `${Object.keys(state.files).filter((path) => path.startsWith('types/')).length} files`,
  run(state: GeneratorState): GeneratorState {
    const files = { ...state.files };
    const models = state.kinds
      .map((work) => work.model)
      .filter((model) => model.hub !== false)
      .sort((a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`));
    const rendered = renderTypeFiles(models, (model) => shortGroup(model.group));
    for (const [name, text] of rendered)
      files[`types/${name}.ts`] = `${generatedHeader('//')}\n/* eslint-disable */\n\n${text}`;
    const groups = [...rendered.keys()].filter((name) => name !== sharedTypesFile);
    files['types/index.ts'] = [
      generatedHeader('//'),
      '/** Spec/status declarations of every kind, one namespace per group (e.g. `storage.StorageAccount`). */',
      ...groups.map(
        (group) =>
          `export type * as ${group.replace(/\.(\w)/g, (_, letter: string) => letter.toUpperCase())} from './` +
          `${group}.js';`,
      ),
      '',
    ].join('\n');
    return { ...state, files };
  },
};
