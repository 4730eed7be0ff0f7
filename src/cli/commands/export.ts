/**
 * `azo export template`: the install manifests (CRDs of the selected kinds, RBAC, the operator's Deployment) for an
 * image and version, as one YAML stream, for installs without kustomize (as ASO's `asoctl export template`).
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { renderInstallTemplate } from '../internal/install-template.js';
import { UserError } from '../internal/user-error.js';

interface ExportTemplateFlags {
  image?: string;
  version: string;
  crdPattern?: string;
  output?: string;
}

export function register(program: Command): void {
  const exportCommand = program.command('export').description('Export azo artefacts (see azo export template --help).');
  exportCommand
    .command('template')
    .description(
      "Print the install manifests (CRDs, RBAC, the operator's Deployment) for an image and version, without " +
        'kustomize.',
    )
    .option('--image <repository>', "the operator's image repository, e.g. registry.example.com/azo (required)")
    .option('--version <tag>', 'the image tag, also the app.kubernetes.io/version label', program.version() ?? '0.0.0')
    .option('--crd-pattern <pattern>', "only these kinds' CRDs and RBAC (ASO crdPattern); default: every kind")
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action(async (flags: ExportTemplateFlags) => {
      if (flags.image === undefined || flags.image.trim() === '') {
        throw new UserError(
          '--image is required: the repository of the operator image, e.g. --image registry.example.com/azo',
        );
      }
      if (/[:@]/.test(flags.image.split('/').at(-1) ?? '')) {
        throw new UserError(`--image takes a repository without a tag (${flags.image}); give the tag with --version`);
      }
      const text = await renderInstallTemplate({
        image: flags.image,
        version: flags.version,
        crdPattern: flags.crdPattern,
      });
      if (flags.output === undefined) process.stdout.write(text);
      else writeFileSync(flags.output, text);
    });
  for (const command of exportCommand.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
}
