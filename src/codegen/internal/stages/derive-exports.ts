/**
 * Stage 7: what `operatorSpec.secrets` / `operatorSpec.configMaps` can export. Names come from ASO's
 * `$azureGeneratedSecrets` (secrets) and `$generatedConfigs` (configmaps, with their status path); each secret is
 * found in the output of one of the type's POST actions without input (`listKeys`, `sharedKeys`, …) or in the GET
 * body; project overrides supply the rest (e.g. `key1` = `listKeys` → `keys[0].value`).
 */
import type { ExportSource, SchemaNode } from '../../../model/index.js';
import { lowerCamel, topLevelProperties } from '../../../model/index.js';
import { BicepConverter, refIndex } from '../bicep.js';
import type { GeneratorState, KindOverride, KindWork, RawType, Stage } from '../state.js';

/** Finds a property by case-insensitive name, breadth first, down to `depth` levels; returns its dotted path. */
export function findPath(node: SchemaNode, wanted: string, depth = 3, prefix = ''): string | undefined {
  const lower = wanted.toLowerCase();
  const entries = Object.entries(node.properties ?? {});
  for (const [name] of entries) if (name.toLowerCase() === lower) return prefix + name;
  if (depth <= 1) return undefined;
  for (const [name, child] of entries) {
    const found = findPath(child, wanted, depth - 1, `${prefix}${name}.`);
    if (found) return found;
  }
  return undefined;
}

/** Maps ASO's `$.Status.PrimaryEndpoints.Blob` to the ARM body path `properties.primaryEndpoints.blob`. */
export function statusPathToArm(work: KindWork, asoPath: string): string | undefined {
  const steps = asoPath.replace(/^\$\.Status\./, '').split('.');
  const [first, ...rest] = steps;
  if (first === undefined) return undefined;
  const top = topLevelProperties(work.model).find((property) => property.armName.toLowerCase() === first.toLowerCase());
  if (!top) return undefined;
  let node: SchemaNode = top.node;
  const path = [top.inProperties ? `properties.${top.armName}` : top.armName];
  for (const step of rest) {
    const entry = Object.entries(node.properties ?? {}).find(([name]) => name.toLowerCase() === step.toLowerCase());
    if (!entry) return undefined;
    path.push(entry[0]);
    node = entry[1];
  }
  return path.join('.');
}

function actionsOf(work: KindWork, types: RawType[]): Array<{ name: string; output: SchemaNode }> {
  const converter = new BicepConverter(types, new Map());
  return types
    .filter(
      (type) =>
        type.$type === 'ResourceFunctionType' &&
        type.input === undefined &&
        String(type.resourceType).toLowerCase() === work.model.armType.toLowerCase() &&
        type.apiVersion === work.model.apiVersion,
    )
    .map((type) => ({ name: String(type.name), output: converter.convert(refIndex(type.output)) }))
    .sort((a, b) => Number(b.name.startsWith('list')) - Number(a.name.startsWith('list')));
}

/** The export an override describes (see KindOverride.exports). */
function fromOverride(name: string, override: NonNullable<KindOverride['exports']>[string]): ExportSource {
  const from = override.from ?? (override.action ? 'action' : override.via ? 'linked' : 'status');
  const action = override.action ? { action: override.action } : {};
  const via = override.via ? { via: override.via } : {};
  return { name, from, path: override.path, ...action, ...via, secret: override.secret ?? true };
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const deriveExports: Stage = {
  id: 'derive-exports',
  description: 'derive operatorSpec exports (generated secrets and configs)',
  summarize: (state) => `${state.kinds.reduce((sum, work) => sum + work.model.exports.length, 0)} exports`,
  run(state: GeneratorState): GeneratorState {
    const notes = [...state.notes];
    for (const work of state.kinds) {
      const exports: ExportSource[] = [];
      const types = state.typeFiles[work.typesFile] ?? [];
      const overrides = work.request.override?.exports ?? {};
      for (const [asoName, asoPath] of Object.entries(work.asoExports.configs)) {
        const path = statusPathToArm(work, asoPath);
        if (path === undefined)
          notes.push(
            `${work.model.group}/${work.model.kind}: config export ${asoName} (${asoPath}) not found in the type`,
          );
        else exports.push({ name: lowerCamel(asoName), from: 'status', path, secret: false });
      }
      const actions = work.asoExports.secrets.length > 0 ? actionsOf(work, types) : [];
      for (const asoName of work.asoExports.secrets) {
        const name = lowerCamel(asoName);
        const override = overrides[name];
        if (override) {
          exports.push(fromOverride(name, override));
          continue;
        }
        const config = exports.find((entry) => !entry.secret && entry.name === name);
        if (config) {
          exports.push({ ...config, secret: true });
          continue;
        }
        const action = actions
          .map((candidate) => ({ candidate, path: findPath(candidate.output, asoName) }))
          .find((found) => found.path !== undefined);
        if (action?.path !== undefined) {
          exports.push({ name, from: 'action', action: action.candidate.name, path: action.path, secret: true });
          continue;
        }
        const statusPath = findPath(work.model.body, asoName);
        if (statusPath !== undefined) {
          exports.push({ name, from: 'status', path: statusPath, secret: true });
          continue;
        }
        notes.push(`${work.model.group}/${work.model.kind}: secret export ${asoName} has no source (add an override)`);
      }
      // ASO's $manualConfigs are exported by a hand-written extension: here an override says where the value is.
      for (const asoName of work.asoExports.manualConfigs ?? []) {
        const override = overrides[lowerCamel(asoName)];
        if (override === undefined || override.secret !== false)
          notes.push(
            `${work.model.group}/${work.model.kind}: config export ${asoName} ($manualConfigs) has no source ` +
              `(add an override with secret: false)`,
          );
      }
      for (const [name, override] of Object.entries(overrides)) {
        if (exports.some((entry) => entry.name === name && entry.secret === (override.secret ?? true))) continue;
        exports.push(fromOverride(name, override));
      }
      work.model.exports = exports;
    }
    return { ...state, notes };
  },
};
