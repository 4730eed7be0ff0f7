/** Stage 1 (the only one that reads files): the config, the azure-types index and files, and ASO's azure-arm.yaml. */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { expandAsoKinds } from '../aso-kinds.js';
import { checkOverrideKeys, parseCodegenConfig } from '../config.js';
import type { GeneratorState, RawType, Stage } from '../state.js';
import { catalogNamespaces } from './catalog-types.js';
import { lookupIndex } from '../type-index.js';

export { lookupIndex } from '../type-index.js';

/** The stage itself (see the file comment); pure apart from what its description says. */
export const readInputs: Stage = {
  id: 'read-inputs',
  description: 'read codegen config, Azure type definitions and ASO config',
  summarize: (state) => `${state.config.kinds.length} kinds, ${Object.keys(state.typeFiles).length} type files`,
  async run(state: GeneratorState): Promise<GeneratorState> {
    const { options } = state;
    const at = (path: string) => (isAbsolute(path) ? path : resolve(options.repoRoot, path));
    let config = parseCodegenConfig(await readFile(at(options.configPath), 'utf8'));
    const azureTypesDir = at(options.azureTypesDir ?? config.inputs.azureTypes);
    const asoConfigPath = at(options.asoConfigPath ?? config.inputs.asoConfig);
    const typeIndex = JSON.parse(await readFile(join(azureTypesDir, 'INDEX.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    const asoConfig = parse(await readFile(asoConfigPath, 'utf8'), { maxAliasCount: -1 }) as Record<string, unknown>;
    let unserved: GeneratorState['unserved'] = [];
    if (config.asoKinds) {
      const expanded = expandAsoKinds(asoConfig, typeIndex, config.kinds, config.overrides);
      config = { ...config, kinds: expanded.kinds };
      unserved = expanded.unserved;
      checkOverrideKeys(config.overrides ?? {}, config.kinds);
    }
    const typeFiles: Record<string, RawType[]> = {};
    const load = async (file: string) => {
      typeFiles[file] ??= JSON.parse(await readFile(join(azureTypesDir, file), 'utf8')) as RawType[];
    };
    for (const kind of config.kinds) {
      const file = lookupIndex(typeIndex, kind.armType)?.[kind.schemaApiVersion ?? kind.apiVersion];
      if (file === undefined)
        throw new Error(
          `${kind.group}/${kind.kind}: no type definition for ${kind.armType}@${kind.apiVersion} in ${azureTypesDir}`,
        );
      await load(file);
    }
    // Every file of the modelled providers, for the catalog's fixed names.
    const namespaces = catalogNamespaces(config.kinds.map((kind) => kind.armType));
    for (const [armType, files] of Object.entries(typeIndex)) {
      if (namespaces.has((armType.split('/')[0] ?? '').toLowerCase()))
        for (const file of Object.values(files)) await load(file);
    }
    return { ...state, config, typeIndex, typeFiles, asoConfig, unserved };
  },
};
