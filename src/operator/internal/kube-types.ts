/**
 * The few Kubernetes object shapes the operator reads and writes, as plain JSON (no model classes). Loose on
 * purpose: only the fields the operator uses are named, so objects typed elsewhere (client-node's) fit them too.
 */

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  managedFields?: unknown[];
  ownerReferences?: OwnerReference[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Any object with metadata (what an informer caches). */
export interface KubeResource {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface Namespace extends KubeResource {
  status?: { phase?: string };
}

export interface Secret extends KubeResource {
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface ConfigMap extends KubeResource {
  data?: Record<string, string>;
}

export interface CustomResourceDefinition extends KubeResource {
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; listKind?: string };
    scope?: string;
    versions: Array<{ name: string; served: boolean; storage: boolean; schema?: unknown }>;
    conversion?: {
      strategy: string;
      webhook?: {
        conversionReviewVersions?: string[];
        clientConfig?: { caBundle?: string; url?: string; service?: unknown };
      };
    };
  };
}

export interface Lease extends KubeResource {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    leaseTransitions?: number;
    acquireTime?: string | Date;
    renewTime?: string | Date;
  };
}

/** A LIST's answer. */
export interface ObjectList<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
}
