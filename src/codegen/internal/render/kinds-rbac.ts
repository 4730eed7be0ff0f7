/**
 * The RBAC the operator needs on the Azure kinds it serves: a ClusterRole over exactly the served groups and
 * resources (with their status and finalizers subresources) and its binding to the operator's ServiceAccount.
 * deploy/base/generated/rbac-kinds.yaml and `azo export template` both render it from here.
 */

/** Name of the generated ClusterRole (and its ClusterRoleBinding) for the Azure kinds. */
export const kindsClusterRoleName = 'azo-operator-kinds';

/** The operator's verbs on its kinds: it reads and watches them, and patches metadata and status. */
const objectVerbs = ['get', 'list', 'watch', 'patch', 'update'];
const statusVerbs = ['get', 'patch', 'update'];
/**
 * Exports set blockOwnerDeletion on their owner: with OwnerReferencesPermissionEnforcement that needs update on
 * <kind>/finalizers.
 */
const finalizerVerbs = ['update'];

/** The ClusterRole and ClusterRoleBinding for these CRDs (as `renderCrd` renders them). */
export function renderKindsRbac(
  crds: Array<Record<string, unknown>>,
): [Record<string, unknown>, Record<string, unknown>] {
  const pluralsByGroup = new Map<string, string[]>();
  for (const crd of crds) {
    const spec = crd['spec'] as { group: string; names: { plural: string } };
    pluralsByGroup.set(spec.group, [...(pluralsByGroup.get(spec.group) ?? []), spec.names.plural]);
  }
  const rules = [...pluralsByGroup.keys()].sort().flatMap((group) => {
    const plurals = [...(pluralsByGroup.get(group) ?? [])].sort();
    return [
      { apiGroups: [group], resources: plurals, verbs: objectVerbs },
      { apiGroups: [group], resources: plurals.map((plural) => `${plural}/status`), verbs: statusVerbs },
      { apiGroups: [group], resources: plurals.map((plural) => `${plural}/finalizers`), verbs: finalizerVerbs },
    ];
  });
  const labels = { 'app.kubernetes.io/name': 'azo-operator', 'app.kubernetes.io/part-of': 'azo' };
  const metadata = { name: kindsClusterRoleName, labels };
  const clusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata, rules };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: kindsClusterRoleName },
    subjects: [{ kind: 'ServiceAccount', name: 'azo-operator', namespace: 'azureserviceoperator-system' }],
  };
  return [clusterRole, binding];
}
