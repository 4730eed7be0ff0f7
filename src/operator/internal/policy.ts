/** The reconcile policy: object annotation, else namespace annotation, else the operator default, else `manage`. */
import { RECONCILE_POLICY_ANNOTATION } from './names.js';

/** ASO's reconcile policies. */
export type ReconcilePolicy = 'manage' | 'skip' | 'detach-on-delete';

const policies: readonly ReconcilePolicy[] = ['manage', 'skip', 'detach-on-delete'];

/** true for a known policy value (exact, lower case, as ASO requires). */
export function isReconcilePolicy(value: string): value is ReconcilePolicy {
  return (policies as readonly string[]).includes(value);
}

/** The effective policy, and a warning when a value was not understood (the default is used instead). */
export interface PolicyDecision {
  policy: ReconcilePolicy;
  warning?: string;
}

/**
 * Picks the policy: `objectAnnotations[reconcile-policy]` → `namespaceAnnotations[…]` → `defaultPolicy` → `manage`.
 * An unknown value at the level that applies gives a warning and falls back to the next level's default.
 */
export function resolveReconcilePolicy(options: {
  objectAnnotations?: Record<string, string> | undefined;
  namespaceAnnotations?: Record<string, string> | undefined;
  defaultPolicy?: string | undefined;
}): PolicyDecision {
  const warnings: string[] = [];
  let fallback: ReconcilePolicy = 'manage';
  if (options.defaultPolicy !== undefined && options.defaultPolicy !== '') {
    if (isReconcilePolicy(options.defaultPolicy)) fallback = options.defaultPolicy;
    else warnings.push(`DEFAULT_RECONCILE_POLICY ${JSON.stringify(options.defaultPolicy)} is not one of ${policies.join(', ')}`);
  }
  const levels: Array<[string, string | undefined]> = [
    ['the object', options.objectAnnotations?.[RECONCILE_POLICY_ANNOTATION]],
    ['the namespace', options.namespaceAnnotations?.[RECONCILE_POLICY_ANNOTATION]],
  ];
  for (const [where, value] of levels) {
    if (value === undefined) continue;
    if (isReconcilePolicy(value)) return { policy: value, ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}) };
    warnings.push(`unknown ${RECONCILE_POLICY_ANNOTATION} ${JSON.stringify(value)} on ${where}; using ${fallback}`);
    break;
  }
  return { policy: fallback, ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}) };
}
