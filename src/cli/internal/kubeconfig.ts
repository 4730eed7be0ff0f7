/** The kubeconfig as a @kubernetes/client-node `KubeConfig`, for the commands that use client-node (not `operator`). */
import { KubeConfig } from '@kubernetes/client-node';
import { findKubeconfig } from './kubeconfig-files.js';

export { unreachable } from './kubeconfig-files.js';

/**
 * The kubeconfig as `kubectl` finds it (`--kubeconfig`, `$KUBECONFIG`, `~/.kube/config`, in-cluster), or a
 * `UserError` naming what is missing and how to fix it.
 */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  const source = findKubeconfig(file);
  if ('inCluster' in source) kubeConfig.loadFromCluster();
  else if (file !== undefined) kubeConfig.loadFromFile(file);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}
