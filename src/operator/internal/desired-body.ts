/**
 * The desired ARM body of one object, as the reconciler builds it: the model's spec → ARM conversion, then the kind's
 * `desiredBody` hooks. For tools that show what the operator sends (the web view of `azo dev`); the caller resolves
 * references, secrets and ConfigMap values as it sees fit (a viewer shows placeholders for secrets).
 */
import { specToArmBody, type KindModel, type ResolvedInputs } from '../../model/index.js';
import { hooksFor } from '../extensions/index.js';
import { runDesiredBody, type ResourceHooks } from './hooks.js';
import type { KubeObject } from './kube.js';

/**
 * The ARM body the operator would compare with Azure and PUT for `object` (`hooks`: the kind's extensions, found by
 * group and kind unless given). Throws `MissingInputError` as the model does.
 */
export function desiredArmBody(
  model: KindModel,
  object: KubeObject,
  resolved: ResolvedInputs,
  hooks: readonly ResourceHooks[] = hooksFor(model.group, model.kind),
): Record<string, unknown> {
  const body = specToArmBody(model, object.spec ?? {}, resolved);
  return runDesiredBody(hooks, { object, model }, body);
}
