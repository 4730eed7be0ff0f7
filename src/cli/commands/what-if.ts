/**
 * `azo what-if -f MANIFEST…`: what the operator would do with these objects — create, change (field by field) or
 * leave each Azure resource, and what a delete would do under its reconcile policy — decided by the operator's own
 * planner and comparison against Azure's current state, without writing anything.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { loadKindModelForApiVersion } from '../../model/index.js';
import {
  type PreviewObject,
  environmentArmClient,
  hooksFor,
  isReconcilePolicy,
  previewObjects,
} from '../../operator/index.js';
import { clusterReader } from '../internal/cluster-reader.js';
import { readManifests } from '../internal/manifest-files.js';
import { UserError } from '../internal/user-error.js';
import { renderWhatIf } from '../internal/what-if-report.js';

interface WhatIfFlags {
  filename: string[];
  output: string;
  namespace: string;
  kubeconfig?: string;
  armCaFile?: string;
}

export function register(program: Command): void {
  program
    .command('what-if')
    .description(
      'Show what the operator would do with these objects in Azure (create, change field by field, nothing; and ' +
        "on delete), without writing anything. Uses the operator's credential variables (AZURE_SUBSCRIPTION_ID, " +
        'AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_RESOURCE_MANAGER_ENDPOINT, …).',
    )
    .requiredOption('-f, --filename <path...>', 'manifest files or directories (- for stdin), as kubectl -f')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-n, --namespace <ns>', 'the namespace of objects that name none', 'default')
    .option(
      '--kubeconfig <file>',
      'read owners, references, Secrets, ConfigMaps and namespaces not in the manifests from this cluster ' +
        '(default: $KUBECONFIG when set; else none)',
    )
    .option('--arm-ca-file <file>', "trust this CA (PEM) for ARM and Entra ID, e.g. the emulator's")
    .action(async (flags: WhatIfFlags) => {
      if (flags.output !== 'text' && flags.output !== 'json') {
        throw new UserError(`-o must be text or json, not ${JSON.stringify(flags.output)}`);
      }
      const objects = readManifests(flags.filename, flags.namespace);
      const arm = environmentArmClient(process.env, {
        ...(flags.armCaFile !== undefined ? { caCertPem: readFileSync(flags.armCaFile, 'utf8') } : {}),
      });
      if ('missing' in arm) {
        throw new UserError(
          `no Azure credential: set ${arm.missing.join(', ')} (the operator's global credential; see ` +
            `docs/credentials.md)`,
        );
      }
      const entries: PreviewObject[] = await Promise.all(
        objects.map(async (object) => {
          const model = await loadKindModelForApiVersion(object.apiVersion, object.kind);
          return { object, model, hooks: model === undefined ? [] : hooksFor(model.group, model.kind) };
        }),
      );
      const policy = process.env['DEFAULT_RECONCILE_POLICY']?.trim();
      const previews = await previewObjects({
        objects: entries,
        tryGet: (armId, apiVersion) => arm.client.tryGet(armId, apiVersion),
        subscriptionId: arm.subscriptionId,
        defaultPolicy: policy !== undefined && isReconcilePolicy(policy) ? policy : undefined,
        cluster: clusterOf(flags.kubeconfig),
      });
      process.stdout.write(
        flags.output === 'json' ? `${JSON.stringify({ objects: previews }, null, 2)}\n` : renderWhatIf(previews),
      );
    });
}

/** The cluster to read from: `--kubeconfig`, else `$KUBECONFIG` when set, else none. */
function clusterOf(file: string | undefined): ReturnType<typeof clusterReader> | undefined {
  const kubeConfig = new KubeConfig();
  if (file !== undefined) {
    if (!existsSync(file)) throw new UserError(`--kubeconfig ${file}: no such file`);
    kubeConfig.loadFromFile(file);
  } else if ((process.env['KUBECONFIG'] ?? '') !== '') {
    kubeConfig.loadFromDefault();
  } else {
    return undefined;
  }
  return clusterReader(kubeConfig);
}
