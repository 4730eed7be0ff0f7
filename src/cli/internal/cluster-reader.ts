/**
 * Reads what `azo what-if` needs from a cluster: Azure objects (by group and kind), Secrets, ConfigMaps, Namespaces.
 */
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { pluralOf } from '../../codegen/index.js';
import { loadKindModel } from '../../model/index.js';
import type { KubeObject, PreviewCluster } from '../../operator/index.js';

/** The lookups of `previewObjects` against the cluster of `kubeConfig`. */
export function clusterReader(kubeConfig: KubeConfig): PreviewCluster {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    getObject: async (group, kind, namespace, name) => {
      const model = await loadKindModel(group, kind);
      if (model === undefined) return undefined;
      const version = model.versions[0] ?? '';
      const plural = pluralOf(model.kind);
      return orUndefined(
        () =>
          custom.getNamespacedCustomObject({
            group: model.group,
            version,
            plural,
            namespace,
            name,
          }) as Promise<KubeObject>,
      );
    },
    getSecret: (namespace, name) => orUndefined(() => core.readNamespacedSecret({ namespace, name })),
    getConfigMap: (namespace, name) => orUndefined(() => core.readNamespacedConfigMap({ namespace, name })),
    getNamespaceAnnotations: async (name) =>
      (await orUndefined(() => core.readNamespace({ name })))?.metadata?.annotations,
  };
}

async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    const code =
      (error as { code?: unknown; statusCode?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
    if (code === 404) return undefined;
    throw error;
  }
}
