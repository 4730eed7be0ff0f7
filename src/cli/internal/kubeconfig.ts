/** Finding the kubeconfig as kubectl does, and saying plainly when the API server it names cannot be reached. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { UserError } from './user-error.js';

/**
 * The kubeconfig as `kubectl` finds it (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`, in-cluster), or a
 * `UserError` naming what is missing and how to fix it.
 */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  const hint = 'azo dev writes one to .azo/kubeconfig; azo apiserver --kubeconfig FILE writes one too';
  if (file !== undefined) {
    if (!existsSync(file))
      throw new UserError(`--kubeconfig ${file}: no such file; give the path of a kubeconfig (${hint})`);
    kubeConfig.loadFromFile(file);
    return kubeConfig;
  }
  const fromEnv = (process.env['KUBECONFIG'] ?? '').split(delimiter).filter((path) => path !== '');
  if (fromEnv.length > 0 && !fromEnv.some((path) => existsSync(path))) {
    throw new UserError(
      `KUBECONFIG names ${fromEnv.join(delimiter)}, which does not exist; fix KUBECONFIG or pass --kubeconfig FILE (${hint})`,
    );
  }
  const inCluster = process.env['KUBERNETES_SERVICE_HOST'] !== undefined;
  if (fromEnv.length === 0 && !inCluster && !existsSync(join(homedir(), '.kube', 'config'))) {
    throw new UserError(`no kubeconfig: set KUBECONFIG or pass --kubeconfig FILE (${hint})`);
  }
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

/** A failure to reach the API server, said as the user's problem to fix; other errors unchanged. */
export function unreachable(error: unknown, kubeConfig: KubeConfig): unknown {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  if (status !== 0) return error;
  const server = kubeConfig.getCurrentCluster()?.server ?? 'the API server';
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return new UserError(
    `cannot reach the Kubernetes API server at ${server} (${reason}); is it running, and is this the right kubeconfig?`,
  );
}
