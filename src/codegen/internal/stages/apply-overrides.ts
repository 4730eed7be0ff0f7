/**
 * Stage 6: applies the project's own overrides from codegen.config.yaml (each with a reason): keeping the
 * `properties` envelope (the resource's or nested ones), references, plain values, secrets, configmap inputs, enum
 * values, renames by ARM body path, and properties copied from another api-version of the type index.
 */
import type { SchemaNode } from '../../../model/index.js';
import { BicepConverter, refIndex } from '../bicep.js';
import type { GeneratorState, KindWork, Stage } from '../state.js';
import { nodeAtPath, nodesAtPath } from '../walk.js';
import { findResourceType } from './resolve-resources.js';

/** The body schema of the kind's ARM type at another api-version of the type index. */
function bodyAtVersion(state: GeneratorState, work: KindWork, apiVersion: string): SchemaNode {
  const { model } = work;
  const { types, resource } = findResourceType(state, model.armType, apiVersion, `${model.group}/${model.kind}`);
  return new BicepConverter(types, new Map()).convert(refIndex(resource.body));
}

/** Copies `propertiesFrom` paths the model lacks from the index's other api-version; returns the copied paths. */
function copyMissingProperties(state: GeneratorState, work: KindWork): string[] {
  const from = work.request.override?.propertiesFrom;
  if (!from) return [];
  const { model } = work;
  const missing = from.paths.filter((path) => nodeAtPath(model.body, path) === undefined);
  if (missing.length === 0) return [];
  const source = bodyAtVersion(state, work, from.apiVersion);
  for (const path of missing) {
    const node = nodeAtPath(source, path);
    const cut = path.lastIndexOf('.');
    const parent = cut < 0 ? model.body : nodeAtPath(model.body, path.slice(0, cut));
    if (!node || parent?.type !== 'object') {
      throw new Error(`${model.group}/${model.kind}: ${path} is in neither ${model.apiVersion} nor ${from.apiVersion}`);
    }
    parent.properties = { ...(parent.properties ?? {}), [path.slice(cut + 1)]: node };
  }
  return missing;
}

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
        if (!node)
          throw new Error(
            `${model.group}/${model.kind}: override path ${path} does not exist in ${model.armType}@` +
              `${model.apiVersion}`,
          );
        return node.type === 'array' && node.items && !path.endsWith('[]') ? node.items : node;
      };
      if (override.flatten === false) model.flatten = false;
      for (const path of override.keepEnvelopes ?? []) {
        const envelopes = nodesAtPath(model.body, path).filter((node) => node.type === 'object');
        if (!path.endsWith('.properties') || envelopes.length === 0) {
          throw new Error(`${model.group}/${model.kind}: keepEnvelopes path ${path} names no properties envelope`);
        }
        for (const envelope of envelopes) envelope.flatten = false;
      }
      const from = override.propertiesFrom?.apiVersion;
      for (const path of copyMissingProperties(state, work)) {
        state.notes.push(`${model.group}/${model.kind}@${model.apiVersion}: ${path} from ${from}`);
      }
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
      for (const [path, values] of Object.entries(override.enumValues ?? {})) at(path).enum = [...values];
      for (const [path, kubeName] of Object.entries(override.renames ?? {})) {
        const node = nodeAtPath(model.body, path);
        if (!node) throw new Error(`${model.group}/${model.kind}: rename path ${path} does not exist`);
        node.kubeName = kubeName;
      }
    }
    return state;
  },
};
