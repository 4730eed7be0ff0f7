/**
 * The reconcile policy: object annotation, else namespace annotation, else the operator default, else `manage`. A
 * value that is not exactly one of the three policies is never guessed at: it is read as `skip`, the policy that
 * neither writes nor deletes anything in Azure, and reported.
 */
import { RECONCILE_POLICY_ANNOTATION } from './names.js';

/** ASO's reconcile policies. */
export type ReconcilePolicy = 'manage' | 'skip' | 'detach-on-delete';

/** The policies, in the order messages list them. */
export const reconcilePolicies: readonly ReconcilePolicy[] = ['manage', 'skip', 'detach-on-delete'];

/** true for a known policy value (exact, lower case, as ASO requires). */
export function isReconcilePolicy(value: string): value is ReconcilePolicy {
  return (reconcilePolicies as readonly string[]).includes(value);
}

/** The effective policy, and a warning when the value that applies was not understood (then the policy is `skip`). */
export interface PolicyDecision {
  policy: ReconcilePolicy;
  warning?: string;
}

/**
 * Picks the policy: `objectAnnotations[reconcile-policy]` → `namespaceAnnotations[…]` → `defaultPolicy` → `manage`.
 * The first level that has a value decides; an unknown value there gives `skip` and a warning that names the value
 * and the allowed ones.
 */
export function resolveReconcilePolicy(options: {
  objectAnnotations?: Record<string, string> | undefined;
  namespaceAnnotations?: Record<string, string> | undefined;
  defaultPolicy?: string | undefined;
}): PolicyDecision {
  const levels: Array<[string, string | undefined]> = [
    [`${RECONCILE_POLICY_ANNOTATION} on the object`, options.objectAnnotations?.[RECONCILE_POLICY_ANNOTATION]],
    [`${RECONCILE_POLICY_ANNOTATION} on the namespace`, options.namespaceAnnotations?.[RECONCILE_POLICY_ANNOTATION]],
    ['DEFAULT_RECONCILE_POLICY', options.defaultPolicy === '' ? undefined : options.defaultPolicy],
  ];
  for (const [where, value] of levels) {
    if (value === undefined) continue;
    if (isReconcilePolicy(value)) return { policy: value };
    return { policy: 'skip', warning: unknownPolicyMessage(where, value) };
  }
  return { policy: 'manage' };
}

/** The warning for an unknown policy value. */
export function unknownPolicyMessage(where: string, value: string): string {
  return (
    `${where} is ${JSON.stringify(value)}, which is not a reconcile policy (allowed: ` +
    `${reconcilePolicies.join(', ')}; ` +
    'exact, lower case); treating it as skip: nothing is written to or deleted from Azure until it is fixed'
  );
}
