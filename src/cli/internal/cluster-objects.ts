/**
 * Reads the objects azo manages from any Kubernetes API server, as a client: the installed CRDs that have a kind in
 * the resource model, then their objects in one namespace or in all of them.
 */
import { ApiextensionsV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { loadKindModel, type KindModel } from '../../model/index.js';
import type { GraphObject, ModelledObject } from './object-graph.js';

/** An installed CRD of a modelled kind: where its objects are listed. */
export interface InstalledKind {
  model: KindModel;
  /** The CRD's storage version (else its first served one). */
  version: string;
  plural: string;
}

/** A listed object with its kind's model and CRD coordinates. */
export interface ListedObject extends ModelledObject {
  kind: InstalledKind;
  object: GraphObject & {
    apiVersion?: string;
    kind?: string;
    metadata?: GraphObject['metadata'] & { annotations?: Record<string, string>; creationTimestamp?: string };
  };
}

/** The installed CRDs whose group and kind the resource model knows, sorted by group and kind. */
export async function listInstalledKinds(kubeConfig: KubeConfig): Promise<InstalledKind[]> {
  const crds = await kubeConfig.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
  const kinds = await Promise.all(
    crds.items.map(async (crd): Promise<InstalledKind | undefined> => {
      const model = await loadKindModel(crd.spec.group, crd.spec.names.kind);
      const version =
        crd.spec.versions.find((candidate) => candidate.storage)?.name ??
        crd.spec.versions.find((candidate) => candidate.served)?.name;
      return model === undefined || version === undefined
        ? undefined
        : { model, version, plural: crd.spec.names.plural };
    }),
  );
  return kinds
    .filter((kind): kind is InstalledKind => kind !== undefined)
    .sort((a, b) => `${a.model.group}/${a.model.kind}`.localeCompare(`${b.model.group}/${b.model.kind}`));
}

/** Every object of `kinds` in `namespace`, or in all namespaces when it is undefined. */
export async function listManagedObjects(
  kubeConfig: KubeConfig,
  kinds: readonly InstalledKind[],
  namespace: string | undefined,
): Promise<ListedObject[]> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const lists = await Promise.all(
    kinds.map(async (kind) => {
      const coordinates = { group: kind.model.group, version: kind.version, plural: kind.plural };
      const list = (
        namespace === undefined
          ? await api.listClusterCustomObject(coordinates)
          : await api.listNamespacedCustomObject({ ...coordinates, namespace })
      ) as { items?: Array<ListedObject['object']> };
      return (list.items ?? []).map((object) => ({ model: kind.model, kind, object }));
    }),
  );
  return lists.flat();
}
