/**
 * Stage 6: applies the project's own overrides from codegen.config.yaml (each with a reason): keeping the
 * `properties` envelope, references, plain values, secrets, configmap inputs and renames by ARM body path.
 */
import type { SchemaNode } from '../../../model/index.js';
import type { GeneratorState, Stage } from '../state.js';
import { nodeAtPath } from '../walk.js';

/** The stage itself (see the file comment); pure apart from what its description says. */
export const applyOverrides: Stage = {
  id: 'apply-overrides',
  description: 'apply the project overrides of codegen.config.yaml',
  summarize: (state) => `${state.kinds.filter((work) => work.request.override).length} kinds overridden`,
  run(state: GeneratorState): GeneratorState {
    for (const work of state.kinds) {
      const override = work.request.override;
      if (!override) continue;
      const { model } = work;
      const at = (path: string): SchemaNode => {
        const node = nodeAtPath(model.body, path);
        if (!node) throw new Error(`${model.group}/${model.kind}: override path ${path} does not exist in ${model.armType}@${model.apiVersion}`);
        return node.type === 'array' && node.items && !path.endsWith('[]') ? node.items : node;
      };
      if (override.flatten === false) model.flatten = false;
      if (override.fixedName === false) delete model.fixedName;
      for (const path of override.references ?? []) at(path).reference = true;
      for (const path of override.notReferences ?? []) {
        const node = at(path);
        delete node.reference;
        delete node.wellKnownReference;
      }
      for (const path of override.secrets ?? []) at(path).secret = true;
      for (const path of override.configMapInputs ?? []) at(path).configMapInput = true;
      for (const [path, values] of Object.entries(override.enumAdditions ?? {})) {
        const node = at(path);
        node.enum = [...new Set([...(node.enum ?? []), ...values])];
      }
      for (const [path, kubeName] of Object.entries(override.renames ?? {})) {
        const node = nodeAtPath(model.body, path);
        if (!node) throw new Error(`${model.group}/${model.kind}: rename path ${path} does not exist`);
        node.kubeName = kubeName;
      }
    }
    return state;
  },
};
