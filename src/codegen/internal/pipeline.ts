/** The generator pipeline: the list of stages and the runner that logs `i/n: description` with counts. */
import { applyAsoConfig } from './stages/apply-aso-config.js';
import { applyOverrides } from './stages/apply-overrides.js';
import { addHandcraftedKinds } from './handcrafted.js';
import { catalogTypes } from './stages/catalog-types.js';
import { deriveExports } from './stages/derive-exports.js';
import { detectReferences } from './stages/detect-references.js';
import { readInputs } from './stages/read-inputs.js';
import { renderCrds } from './stages/render-crds.js';
import { renderModels } from './stages/render-models.js';
import { renderTypes } from './stages/render-types.js';
import { reportSizes } from './stages/report-sizes.js';
import { resolveResources } from './stages/resolve-resources.js';
import { trimEmbeddedResources } from './stages/trim-embedded-resources.js';
import { writeFiles } from './stages/write-files.js';
import type { GeneratorOptions, GeneratorState, Stage } from './state.js';

/** The stages, in order. Only the first reads files and only the last writes them. */
export const stages: readonly Stage[] = [
  readInputs,
  resolveResources,
  trimEmbeddedResources,
  applyAsoConfig,
  detectReferences,
  applyOverrides,
  deriveExports,
  addHandcraftedKinds,
  renderModels,
  renderCrds,
  renderTypes,
  catalogTypes,
  reportSizes,
  writeFiles,
];

/** An empty state for `options` (what the first stage receives). */
export function initialState(options: GeneratorOptions): GeneratorState {
  return {
    options,
    config: { inputs: { azureTypes: '', asoConfig: '' }, kinds: [] },
    typeIndex: {},
    typeFiles: {},
    asoConfig: {},
    kinds: [],
    files: {},
    notes: [],
  };
}

/** Runs `list` (default: every stage) over `state`, logging `i/n: description — counts` per stage and the notes. */
export async function runStages(state: GeneratorState, list: readonly Stage[] = stages): Promise<GeneratorState> {
  const log = state.options.log ?? (() => undefined);
  let current = state;
  for (const [index, stage] of list.entries()) {
    current = await stage.run(current);
    log(`${index + 1}/${list.length}: ${stage.description}${stage.summarize ? ` — ${stage.summarize(current)}` : ''}`);
  }
  for (const note of current.notes) log(`note: ${note}`);
  return current;
}

/** Runs the whole generator with `options`. */
export async function generate(options: GeneratorOptions): Promise<GeneratorState> {
  return runStages(initialState(options), stages);
}
