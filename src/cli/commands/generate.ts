/** `azo generate`: regenerates the resource model, CRDs and TypeScript declarations under generated/. */
import type { Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { generate } from '../../codegen/index.js';

interface GenerateFlags {
  config: string;
  azureTypes?: string;
  asoConfig?: string;
  out: string;
  dryRun?: boolean;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description(
      'Regenerate the resource model, CRDs and TypeScript declarations from Azure type definitions and ASO config.',
    )
    .option('--config <file>', 'the list of kinds and overrides', 'codegen.config.yaml')
    .option(
      '--azure-types <dir>',
      'Azure type definitions (bicep-types-az generated/); default from the config: ../shared/azure-types',
    )
    .option('--aso-config <file>', "ASO's azure-arm.yaml; default from the config: ../shared/aso-config/azure-arm.yaml")
    .option('--out <dir>', 'output directory', 'generated')
    .option('--dry-run', 'compute everything but write nothing')
    .action(async (flags: GenerateFlags) => {
      const state = await generate({
        repoRoot: dirname(resolve(flags.config)),
        configPath: resolve(flags.config),
        ...(flags.azureTypes ? { azureTypesDir: resolve(flags.azureTypes) } : {}),
        ...(flags.asoConfig ? { asoConfigPath: resolve(flags.asoConfig) } : {}),
        outDir: resolve(flags.out),
        ...(flags.dryRun ? { dryRun: true } : {}),
        log: (line) => console.log(line),
      });
      const where = flags.dryRun ? ' (dry run)' : ` under ${flags.out}`;
      console.log(`generated ${state.kinds.length} kinds, ${Object.keys(state.files).length} files${where}`);
    });
}
