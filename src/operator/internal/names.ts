/** The annotation, finalizer and condition names azo shares with ASO (users and tools rely on them). */

/** Our finalizer, added before the first write to Azure. */
export const FINALIZER = 'serviceoperator.azure.com/finalizer';
/** Kubernetes' own finalizers, which never block an Azure delete. */
export const KUBERNETES_FINALIZERS: readonly string[] = [
  'foregroundDeletion',
  'orphan',
  'kubernetes.io/foregroundDeletion',
  'kubernetes.io/orphan',
];
/** The reconcile policy (object or namespace). */
export const RECONCILE_POLICY_ANNOTATION = 'serviceoperator.azure.com/reconcile-policy';
/** A per-object credential: the name of a Secret in the object's namespace. */
export const CREDENTIAL_FROM_ANNOTATION = 'serviceoperator.azure.com/credential-from';
/** Written by the operator: the ARM ID of the resource. */
export const RESOURCE_ID_ANNOTATION = 'serviceoperator.azure.com/resource-id';
/** Written by the operator: the resumable state of a running long-running operation. */
export const POLLER_RESUME_TOKEN_ANNOTATION = 'serviceoperator.azure.com/poller-resume-token';
/** Written by the operator: the ARM ID the resume token belongs to. */
export const POLLER_RESUME_ID_ANNOTATION = 'serviceoperator.azure.com/poller-resume-id';
/** Written by the operator: the generation last reconciled successfully. */
export const LATEST_RECONCILED_GENERATION_ANNOTATION = 'serviceoperator.azure.com/latest-reconciled-generation';
/**
 * Written by the operator: a keyed digest of the desired state (ARM ID and body, Secret values included) last written
 * to Azure, or found already there. azo's own; ASO does not have it.
 */
export const APPLIED_DIGEST_ANNOTATION = 'serviceoperator.azure.com/azo-applied-digest';
/** The Secret in the operator's namespace that holds the digest keys. */
export const DIGEST_KEY_SECRET = 'azo-digest-key';
/** The per-namespace credential Secret. */
export const NAMESPACE_CREDENTIAL_SECRET = 'aso-credential';
/** The global settings Secret (in the operator's namespace). */
export const GLOBAL_SETTINGS_SECRET = 'aso-controller-settings';
