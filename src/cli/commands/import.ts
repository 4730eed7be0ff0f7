/**
 * `azo import azure-resource <ARM ID>…`: reads existing Azure resources (and, by default, everything under them that
 * azo serves) and writes manifests that adopt them: applied, the operator finds them up to date and writes nothing
 * to Azure (as ASO's `asoctl import azure-resource`).
 */
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { environmentArmClient, isReconcilePolicy } from '../../operator/index.js';
import { importResources } from '../internal/importer.js';
import { progressOn } from '../internal/progress.js';
import { UserError } from '../internal/user-error.js';

interface ImportFlags {
  children: boolean;
  namespace: string;
  output?: string;
  annotate?: string;
  armCaFile?: string;
}

export function register(program: Command): void {
  const importCommand = program
    .command('import')
    .description('Import existing Azure resources as manifests (see azo import azure-resource --help).');
  importCommand
    .command('azure-resource')
    .description(
      'Read Azure resources by ARM ID (and everything under them) and write manifests that adopt them without a ' +
        "write to Azure. Uses the operator's credential variables (AZURE_SUBSCRIPTION_ID, AZURE_TENANT_ID, " +
        'AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_RESOURCE_MANAGER_ENDPOINT, …).',
    )
    .argument('<armIds...>', 'ARM IDs of the resources to import')
    .option('--no-children', 'import only the resources named, not what is under them')
    .option('-n, --namespace <ns>', 'the namespace of the manifests', 'default')
    .option(
      '-o, --output <file-or-dir>',
      'write one YAML file, or one file per object into a directory (a path ending in / or an existing ' +
        'directory); default: stdout',
    )
    .option('--annotate <annotation>', 'reconcile-policy=skip or reconcile-policy=detach-on-delete on every object')
    .option('--arm-ca-file <file>', "trust this CA (PEM) for ARM and Entra ID, e.g. the emulator's")
    .action(async (armIds: string[], flags: ImportFlags) => {
      const reconcilePolicy = parseAnnotate(flags.annotate);
      const arm = environmentArmClient(process.env, {
        ...(flags.armCaFile !== undefined ? { caCertPem: readFileSync(flags.armCaFile, 'utf8') } : {}),
      });
      if ('missing' in arm) {
        throw new UserError(
          `no Azure credential: set ${arm.missing.join(', ')} (the operator's global credential; see ` +
            `docs/credentials.md)`,
        );
      }
      const progress = progressOn(process.stderr, 'import');
      const { objects, skipped } = await importResources({
        arm: arm.client,
        ids: armIds,
        children: flags.children,
        namespace: flags.namespace,
        reconcilePolicy,
        onProgress: (done, known, armId) => progress.update(done, known, armId),
      });
      progress.done();
      writeOutput(
        flags.output,
        objects.map((object) => object.manifest),
      );
      const kinds = new Set(objects.map((object) => object.manifest.kind)).size;
      console.error(`imported ${objects.length} resources of ${kinds} kinds`);
      for (const note of objects.flatMap((object) => object.notes)) console.error(`note: ${note}`);
      if (skipped.length > 0) {
        console.error(`could not import ${skipped.length}:`);
        for (const entry of skipped) console.error(`  ${entry.armId}: ${entry.reason}`);
      }
    });
  for (const command of importCommand.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
}

function parseAnnotate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const [key, policy = ''] = value.split('=');
  if (key !== 'reconcile-policy' || !isReconcilePolicy(policy) || policy === 'manage') {
    throw new UserError(
      `--annotate takes reconcile-policy=skip or reconcile-policy=detach-on-delete, not ${JSON.stringify(value)}`,
    );
  }
  return policy;
}

function writeOutput(output: string | undefined, manifests: Array<{ kind: string; metadata: { name: string } }>): void {
  const yaml = (manifest: unknown) => stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
  if (output === undefined) {
    process.stdout.write(manifests.map(yaml).join('---\n'));
    return;
  }
  if (output.endsWith('/') || (existsSync(output) && statSync(output).isDirectory())) {
    mkdirSync(output, { recursive: true });
    for (const manifest of manifests) {
      writeFileSync(join(output, `${manifest.kind.toLowerCase()}-${manifest.metadata.name}.yaml`), yaml(manifest));
    }
    return;
  }
  writeFileSync(output, manifests.map(yaml).join('---\n'));
}
