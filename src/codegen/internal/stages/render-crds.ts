/** Stage 9: renders one CRD per kind as YAML (`crds/<plural>.<group>.yaml`). */
import { stringify } from 'yaml';
import type { KindModel } from '../../../model/index.js';
import type { GeneratorState, Stage } from '../state.js';
import { generatedHeader } from '../state.js';
import { crdNameOf, renderCrd } from '../render/crd.js';

/** The CRD file of a kind, relative to the output dir. */
export const crdFileOf = (crdName: string) => `crds/${crdName}.yaml`;

/**
 * A CRD as YAML text with the do-not-edit header. Equal schema subtrees (the two spellings of a version, shapes
 * several versions share) are written once as a YAML anchor and referenced by alias (`*a1`): kubectl and every YAML
 * reader expand them, so the object the API server stores is unchanged while the file stays small.
 */
export function crdYaml(crd: Record<string, unknown>): string {
  return `${generatedHeader('#')}\n${stringify(shareSubtrees(crd), { lineWidth: 0, aliasDuplicateObjects: true })}`;
}

/** Subtrees smaller than this (as JSON) are written out where they occur: an alias would not pay for its anchor. */
const minSharedLength = 400;

/**
 * At most this many aliases per CRD: YAML readers refuse documents with many aliases (the `yaml` package's default
 * limit is 100, against entity-expansion attacks), so the subtrees that save the most bytes are shared first.
 */
const maxAliases = 60;

/** A copy of `value` in which the biggest repeated objects and arrays are one shared object (see {@link crdYaml}). */
export function shareSubtrees<T>(value: T): T {
  const occurrences = new Map<string, number>();
  const count = (node: unknown): string => {
    if (node === null || typeof node !== 'object') return JSON.stringify(node);
    const json = JSON.stringify(node);
    if (json.length >= minSharedLength) occurrences.set(json, (occurrences.get(json) ?? 0) + 1);
    for (const child of Array.isArray(node) ? node : Object.values(node as Record<string, unknown>)) count(child);
    return json;
  };
  count(value);
  const chosen = new Set<string>();
  let aliases = 0;
  const bySaving = [...occurrences]
    .filter(([, times]) => times > 1)
    .sort((a, b) => (b[1] - 1) * b[0].length - (a[1] - 1) * a[0].length);
  for (const [json, times] of bySaving) {
    if (aliases + times - 1 > maxAliases) continue;
    // Nested shared subtrees multiply aliases on expansion: share disjoint subtrees only.
    if ([...chosen].some((other) => other.includes(json) || json.includes(other))) continue;
    chosen.add(json);
    aliases += times - 1;
  }
  const shared = new Map<string, unknown>();
  const visit = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const json = JSON.stringify(node);
    const known = shared.get(json);
    if (known !== undefined) return known;
    const copy = Array.isArray(node)
      ? node.map(visit)
      : Object.fromEntries(Object.entries(node as Record<string, unknown>).map(([key, child]) => [key, visit(child)]));
    if (chosen.has(json)) shared.set(json, copy);
    return copy;
  };
  return visit(value) as T;
}

/** Each kind's hub model with the models of its other served versions. */
export function kindsWithVersions(state: GeneratorState): Array<[KindModel, KindModel[]]> {
  const byKind = new Map<string, KindModel[]>();
  for (const { model } of state.kinds) {
    const key = `${model.group}/${model.kind}`;
    byKind.set(key, [...(byKind.get(key) ?? []), model]);
  }
  return [...byKind.values()].map((models) => {
    const hub = models.find((model) => model.hub !== false);
    if (!hub) throw new Error(`${models[0]?.group}/${models[0]?.kind}: no hub version`);
    return [hub, models.filter((model) => model !== hub)];
  });
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
    for (const [hub, others] of kindsWithVersions(state))
      files[crdFileOf(crdNameOf(hub))] = crdYaml(renderCrd(hub, {}, others));
    return { ...state, files };
  },
};
