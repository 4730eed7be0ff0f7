// Kubernetes RBAC as the API server evaluates it, for checking rendered manifests against recorded requests: the
// request attributes of an HTTP request (k8s.io/apiserver's RequestInfoFactory) and the rules of Roles and
// ClusterRoles bound to one ServiceAccount (RBAC's RuleAllows).

/** What RBAC authorizes: a resource request or a non-resource URL. */
export type RequestAttributes =
  | {
      type: 'resource';
      verb: string;
      apiGroup: string;
      resource: string;
      subresource: string;
      namespace: string;
      name: string;
    }
  | { type: 'nonResource'; verb: string; path: string };

const namespaceSubresources = new Set(['status', 'finalize']);

/** The RBAC attributes of `method url` (url with its query). */
export function attributesOf(method: string, url: string): RequestAttributes {
  const parsed = new URL(url, 'http://localhost');
  const parts = parsed.pathname.split('/').filter((part) => part !== '');
  const upper = method.toUpperCase();
  const httpVerb = upper === 'HEAD' ? 'get' : upper.toLowerCase();
  let rest: string[];
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 2) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiGroup = parts[1] ?? '';
    rest = parts.slice(3);
  } else {
    return { type: 'nonResource', verb: httpVerb, path: parsed.pathname };
  }
  if (rest.length === 0) return { type: 'nonResource', verb: httpVerb, path: parsed.pathname };
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1] ?? '';
    if (rest.length > 2 && !namespaceSubresources.has(rest[2] ?? '')) rest = rest.slice(2);
  }
  const [resource = '', name = '', ...subresources] = rest;
  let verb: string;
  switch (upper) {
    case 'GET':
    case 'HEAD': {
      const watch = parsed.searchParams.get('watch');
      verb = name !== '' ? 'get' : watch === 'true' || watch === '1' ? 'watch' : 'list';
      break;
    }
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name !== '' ? 'delete' : 'deletecollection';
      break;
    default:
      verb = upper.toLowerCase();
  }
  let objectName = name;
  if ((verb === 'list' || verb === 'watch') && objectName === '') {
    const selected = /(?:^|,)metadata\.name==?([^,]+)/.exec(parsed.searchParams.get('fieldSelector') ?? '');
    if (selected?.[1] !== undefined) objectName = selected[1];
  }
  return {
    type: 'resource',
    verb,
    apiGroup,
    resource,
    subresource: subresources.join('/'),
    namespace,
    name: objectName,
  };
}

/** One policy rule, and where it came from. */
export interface SourcedRule {
  /** `ClusterRole/name` or `Role/namespace/name`, with the rule's index. */
  source: string;
  /** The namespace it applies in (a RoleBinding's), or undefined for a ClusterRoleBinding's (everywhere). */
  namespace: string | undefined;
  rule: PolicyRule;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

interface ManifestObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  rules?: PolicyRule[];
  roleRef?: { apiGroup: string; kind: string; name: string };
  subjects?: Array<{ kind: string; name: string; namespace?: string; apiGroup?: string }>;
}

/**
 * Every rule granted to ServiceAccount `namespace/name` by the RBAC objects among `objects`. Bindings to a missing
 * role grant nothing (as in Kubernetes). `system:discovery` (bound to every authenticated user in every cluster) is
 * included for non-resource URLs.
 */
export function rulesFor(objects: unknown[], account: { namespace: string; name: string }): SourcedRule[] {
  const rbac = (objects as ManifestObject[]).filter((object) => object.apiVersion === 'rbac.authorization.k8s.io/v1');
  const roles = new Map<string, PolicyRule[]>();
  for (const object of rbac) {
    if (object.kind === 'ClusterRole') roles.set(`ClusterRole/${object.metadata?.name ?? ''}`, object.rules ?? []);
    if (object.kind === 'Role')
      roles.set(`Role/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, object.rules ?? []);
  }
  const matchesSubject = (
    subject: { kind: string; name: string; namespace?: string },
    bindingNamespace: string | undefined,
  ) => {
    if (subject.kind === 'ServiceAccount')
      return subject.name === account.name && (subject.namespace ?? bindingNamespace) === account.namespace;
    if (subject.kind === 'User') return subject.name === `system:serviceaccount:${account.namespace}:${account.name}`;
    if (subject.kind === 'Group')
      return ['system:serviceaccounts', `system:serviceaccounts:${account.namespace}`, 'system:authenticated'].includes(
        subject.name,
      );
    return false;
  };
  const granted: SourcedRule[] = [
    {
      source: 'ClusterRole/system:discovery (every cluster)',
      namespace: undefined,
      rule: {
        verbs: ['get'],
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/readyz',
          '/openapi',
          '/openapi/*',
          '/version',
          '/version/',
        ],
      },
    },
  ];
  for (const binding of rbac) {
    if (binding.kind !== 'ClusterRoleBinding' && binding.kind !== 'RoleBinding') continue;
    const namespace = binding.kind === 'RoleBinding' ? (binding.metadata?.namespace ?? '') : undefined;
    if (!(binding.subjects ?? []).some((subject) => matchesSubject(subject, namespace))) continue;
    const ref = binding.roleRef;
    if (ref === undefined || (binding.kind === 'ClusterRoleBinding' && ref.kind !== 'ClusterRole')) continue;
    const key = ref.kind === 'ClusterRole' ? `ClusterRole/${ref.name}` : `Role/${namespace ?? ''}/${ref.name}`;
    (roles.get(key) ?? []).forEach((rule, index) =>
      granted.push({
        source: `${key} rule ${index} via ${binding.kind}/${namespace === undefined ? '' : `${namespace}/`}${binding.metadata?.name ?? ''}`,
        namespace,
        rule,
      }),
    );
  }
  return granted;
}

/** Whether one rule allows the request (RBAC's RuleAllows). */
export function ruleAllows(granted: SourcedRule, request: RequestAttributes): boolean {
  const { rule } = granted;
  if (!rule.verbs.includes(request.verb) && !rule.verbs.includes('*')) return false;
  if (request.type === 'nonResource') {
    return (rule.nonResourceURLs ?? []).some(
      (url) => url === '*' || url === request.path || (url.endsWith('*') && request.path.startsWith(url.slice(0, -1))),
    );
  }
  if (granted.namespace !== undefined && granted.namespace !== request.namespace) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(request.apiGroup)) return false;
  const combined = request.subresource === '' ? request.resource : `${request.resource}/${request.subresource}`;
  const resourceMatch = (rule.resources ?? []).some(
    (resource) =>
      resource === '*' ||
      resource === combined ||
      (request.subresource !== '' && resource === `*/${request.subresource}`),
  );
  if (!resourceMatch) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== '' && names.includes(request.name));
}

/** The rules that allow a request (empty: denied). */
export function allowingRules(rules: SourcedRule[], request: RequestAttributes): SourcedRule[] {
  return rules.filter((rule) => ruleAllows(rule, request));
}

/** A readable form of a request's attributes. */
export function describeRequest(request: RequestAttributes): string {
  if (request.type === 'nonResource') return `${request.verb} ${request.path}`;
  const resource = `${request.apiGroup === '' ? 'core' : request.apiGroup}/${request.resource}${request.subresource === '' ? '' : `/${request.subresource}`}`;
  return `${request.verb} ${resource}${request.name === '' ? '' : ` ${request.name}`} in ${request.namespace === '' ? '(cluster)' : `namespace ${request.namespace}`}`;
}
