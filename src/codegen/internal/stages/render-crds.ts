/** Stage 9: renders one CRD per kind as YAML (`crds/<plural>.<group>.yaml`). */
import { stringify } from 'yaml';
import type { GeneratorState, Stage } from '../state.js';
import { generatedHeader } from '../state.js';
import { crdNameOf, renderCrd } from '../render/crd.js';

/** The CRD file of a kind, relative to the output dir. */
export const crdFileOf = (crdName: string) => `crds/${crdName}.yaml`;

/** A CRD as YAML text with the do-not-edit header. */
export function crdYaml(crd: Record<string, unknown>): string {
  return `${generatedHeader('#')}\n${stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const renderCrds: Stage = {
  id: 'render-crds',
  description: 'render CustomResourceDefinitions',
  summarize: (state) => {
    const files = Object.entries(state.files).filter(([path]) => path.startsWith('crds/'));
    return `${files.length} CRDs, ${files.reduce((sum, [, text]) => sum + text.length, 0)} bytes`;
  },
  run(state: GeneratorState): GeneratorState {
    const files = { ...state.files };
    for (const work of state.kinds) files[crdFileOf(crdNameOf(work.model))] = crdYaml(renderCrd(work.model));
    return { ...state, files };
  },
};
