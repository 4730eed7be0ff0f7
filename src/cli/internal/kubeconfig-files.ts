/**
 * Finding the kubeconfig as kubectl does (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`, in-cluster), and saying
 * plainly what is missing or when the API server it names cannot be reached. Free of @kubernetes/client-node: the
 * operator reads its kubeconfig with its own small client (`loadClusterAccess`).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  type ClusterAccess,
  inClusterConfig,
  type KubeClientConfig,
  loadKubeconfigFiles,
} from '../../operator/index.js';
import { UserError } from './user-error.js';

/** Where the kubeconfig is: files (several when KUBECONFIG lists them), or the pod's in-cluster config. */
export type KubeconfigSource = { files: string[] } | { inCluster: true };

/** The kubeconfig's source as `kubectl` finds it, or a `UserError` naming what is missing and how to fix it. */
export function findKubeconfig(file: string | undefined, env = process.env): KubeconfigSource {
  const hint = 'azo dev writes one to .azo/kubeconfig; azo apiserver --kubeconfig FILE writes one too';
  if (file !== undefined) {
    if (!existsSync(file))
      throw new UserError(`--kubeconfig ${file}: no such file; give the path of a kubeconfig (${hint})`);
    return { files: [file] };
  }
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).filter((path) => path !== '');
  if (fromEnv.length > 0) {
    const existing = fromEnv.filter((path) => existsSync(path));
    if (existing.length === 0) {
      throw new UserError(
        `KUBECONFIG names ${fromEnv.join(delimiter)}, which does not exist; ` +
          `fix KUBECONFIG or pass --kubeconfig FILE (${hint})`,
      );
    }
    return { files: existing };
  }
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return { files: [home] };
  if (env['KUBERNETES_SERVICE_HOST'] !== undefined) return { inCluster: true };
  throw new UserError(`no kubeconfig: set KUBECONFIG or pass --kubeconfig FILE (${hint})`);
}

/** The operator's cluster access from the kubeconfig found (see `findKubeconfig`); a bad file is a `UserError`. */
export function loadClusterAccess(file: string | undefined): KubeClientConfig {
  const source = findKubeconfig(file);
  try {
    return 'inCluster' in source ? inClusterConfig() : loadKubeconfigFiles(source.files);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/** A failure to reach the API server, said as the user's problem to fix; other errors unchanged. */
export function unreachable(error: unknown, kubeConfig: Pick<ClusterAccess, 'getCurrentCluster'>): unknown {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (status !== 0) return error;
  const server = kubeConfig.getCurrentCluster()?.server ?? 'the API server';
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return new UserError(
    `cannot reach the Kubernetes API server at ${server} (${reason}); is it running, and is this the right kubeconfig?`,
  );
}
