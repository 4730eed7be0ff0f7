/** `azo crds [--pattern 'group/kind;…']`: prints the selected CRDs as YAML (a multi-document stream). */
import type { Command } from 'commander';
import { crdYaml, matchesCrdPattern, renderCrd } from '../../codegen/index.js';
import { listKindModels, loadKindVersions } from '../../model/index.js';
import { UserError } from '../internal/user-error.js';

interface CrdsFlags {
  pattern?: string;
}

export function register(program: Command): void {
  program
    .command('crds')
    .description(
      "Print the CRDs of the selected kinds as YAML (ASO's crdPattern syntax, e.g. " +
        "'storage.azure.com/*;resources.azure.com/ResourceGroup').",
    )
    .option('--pattern <pattern>', "';'-separated group/kind patterns ('*' wildcards); default: every kind")
    .action(async (flags: CrdsFlags) => {
      const models = (await listKindModels()).filter((model) =>
        matchesCrdPattern(flags.pattern, model.group, model.kind),
      );
      if (models.length === 0) {
        throw new UserError(
          `no kind matches ${JSON.stringify(flags.pattern)}; try 'resources.azure.com/*' or see azo crds --help`,
        );
      }
      const crds = await Promise.all(
        models.map(async (model) => {
          const [hub = model, ...others] = await loadKindVersions(model.group, model.kind);
          return crdYaml(renderCrd(hub, {}, others));
        }),
      );
      process.stdout.write(crds.join('---\n'));
    });
}
