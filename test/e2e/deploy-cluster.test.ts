// deploy/ in a cluster (split from deploy.test.ts so that each file stays within the test timeout with every CRD): real
// `kubectl kustomize` renders the base, both overlays and the
// second-namespace example; the embedded API server accepts the rendered objects (`kubectl apply --server-side`, then
// `--dry-run=server`); the generated parts are up to date; the Dockerfile's inputs are coherent; and the rendered RBAC
// allows every request the operator makes (recorded through a proxy while it runs as the Deployment says) and nothing
// cluster-wide on Secrets or ConfigMaps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startApiServer } from '../../src/kube/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { listKindModels } from '../../src/model/index.js';
import { kindsClusterRoleName, webhookEndpoint } from '../../scripts/render-deploy.js';
import { spawnAzo } from './operator-helpers.js';
import { repoRoot } from './kube-helpers.js';
import {
  type Manifest,
  groupOf,
  kubectlPath,
  only,
  parseManifests,
  podTemplateOf,
  run,
  targetNamespacesOf,
} from './deploy-manifests.js';
import { startRecordingProxy } from './deploy-proxy.js';
import {
  type RequestAttributes,
  allowingRules,
  attributesOf,
  describeRequest,
  ruleAllows,
  rulesFor,
} from './deploy-rbac.js';

const kustomizations = [
  'deploy/base',
  'deploy/overlays/service-principal',
  'deploy/overlays/workload-identity',
  'deploy/examples/second-namespace',
] as const;
type Kustomization = (typeof kustomizations)[number];
const operatorAccount = { namespace: 'azureserviceoperator-system', name: 'azo-operator' };

test('deploy/ renders with kustomize, is accepted by the API server, and its RBAC covers what the operator calls', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-deploy-'));
  // The cluster network, for the one Service the API server calls: the operator's conversion webhook.
  let webhookPort: number | undefined;
  const { service } = 'service' in webhookEndpoint ? webhookEndpoint : { service: undefined };
  const apiServer = await startApiServer({
    port: 0,
    resolveService: (target) =>
      webhookPort !== undefined &&
      service !== undefined &&
      target.name === service.name &&
      target.namespace === service.namespace &&
      target.port === service.port
        ? `127.0.0.1:${webhookPort}`
        : undefined,
  });
  const emulator = await startEmulator({ models: await listKindModels() });
  t.after(async () => {
    await emulator.close();
    await apiServer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, apiServer.kubeconfig);
  const kubectl = (args: string[], input?: string) =>
    run(
      kubectlPath,
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'kube-cache'), ...args],
      input === undefined ? {} : { input },
    );

  // `kubectl kustomize <dir>` (docs/install.md), all at once.
  const renderedText = new Map<Kustomization, string>();
  await Promise.all(
    kustomizations.map(async (path) =>
      renderedText.set(path, await run(kubectlPath, ['kustomize', path], { cwd: repoRoot })),
    ),
  );
  const rendered = new Map([...renderedText].map(([path, text]) => [path, parseManifests(text)]));
  const objectsOf = (path: Kustomization): Manifest[] => rendered.get(path) ?? [];

  // The embedded API server stores and validates Deployments and RBAC objects as a cluster would (it runs no pods).
  const served = new Set((await kubectl(['api-versions'])).split('\n').filter((line) => line !== ''));
  for (const groupVersion of ['apps/v1', 'rbac.authorization.k8s.io/v1'])
    assert.ok(served.has(groupVersion), `the API server serves ${groupVersion}`);
  const fileOf = (name: string, objects: Manifest[]) => {
    const file = join(dir, name);
    // As a JSON List: kubectl reads it as it reads YAML, and 9 MB of CRDs serialize in a blink rather than seconds.
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    return file;
  };

  await t.test(
    'every kustomization renders the operator, its ServiceAccount, CRDs and RBAC, with the same RBAC',
    () => {
      const crdCount = parseManifests(readFileSync(join(repoRoot, 'deploy/base/generated/crds.yaml'), 'utf8')).length;
      const rbacOf = (path: Kustomization) =>
        objectsOf(path).filter(
          (object) =>
            groupOf(object.apiVersion) === 'rbac.authorization.k8s.io' && object.metadata.namespace !== 'team-a',
        );
      for (const path of kustomizations) {
        const objects = objectsOf(path);
        only(objects, 'Deployment', 'azo-operator');
        only(objects, 'ServiceAccount', 'azo-operator');
        only(objects, 'Namespace', operatorAccount.namespace);
        assert.equal(
          objects.filter((object) => object.kind === 'CustomResourceDefinition').length,
          crdCount,
          `${path}: every generated CRD`,
        );
        assert.deepEqual(rbacOf(path), rbacOf('deploy/base'), `${path}: the base's RBAC`);
      }
    },
  );

  await t.test(
    'the service-principal overlay installs with kubectl apply --server-side, then the second-namespace example',
    async () => {
      const objects = objectsOf('deploy/overlays/service-principal');
      await kubectl(['apply', '--server-side', '-f', fileOf('service-principal.json', objects)]);
      const secret = JSON.parse(
        await kubectl(['get', 'secret', 'aso-controller-settings', '-n', operatorAccount.namespace, '-o', 'json']),
      ) as { data: Record<string, string> };
      assert.deepEqual(Object.keys(secret.data).sort(), [
        'AZURE_CLIENT_ID',
        'AZURE_CLIENT_SECRET',
        'AZURE_SUBSCRIPTION_ID',
        'AZURE_TENANT_ID',
      ]);
      const clusterRole = JSON.parse(
        await kubectl(['get', 'clusterroles.rbac.authorization.k8s.io', kindsClusterRoleName, '-o', 'json']),
      ) as { rules: unknown[] };
      assert.deepEqual(
        clusterRole.rules,
        only(objects, 'ClusterRole', kindsClusterRoleName)['rules'],
        'the generated ClusterRole is stored as rendered',
      );
      // Then serving a second namespace, as docs/install.md shows with deploy/examples/second-namespace (its CRDs are
      // the
      // ones just installed, as the dry-run test asserts; docs.test.ts runs the page's commands with the whole file).
      const secondNamespace = objectsOf('deploy/examples/second-namespace').filter(
        (object) => object.kind !== 'CustomResourceDefinition',
      );
      await kubectl(['apply', '--server-side', '-f', fileOf('second-namespace.json', secondNamespace)]);
      await kubectl(['get', 'rolebindings.rbac.authorization.k8s.io', 'azo-operator-target', '-n', 'team-a']);
    },
  );

  await t.test('every kustomization passes kubectl apply --server-side --dry-run=server', async () => {
    // The CRDs are the bulk of every file and the same in each (asserted here), so only the base sends them.
    const crdsOf = (path: Kustomization) =>
      objectsOf(path).filter((object) => object.kind === 'CustomResourceDefinition');
    for (const path of kustomizations) {
      if (path !== 'deploy/base') assert.deepEqual(crdsOf(path), crdsOf('deploy/base'), `${path}: the base's CRDs`);
      const objects = objectsOf(path).filter(
        (object) => path === 'deploy/base' || object.kind !== 'CustomResourceDefinition',
      );
      const output = await kubectl([
        'apply',
        '--server-side',
        '--dry-run=server',
        '-f',
        fileOf(`${path.replace(/\//g, '-')}.json`, objects),
      ]);
      assert.equal(
        output.split('\n').filter((line) => line.includes('(server dry run)')).length,
        objects.length,
        `${path}: every object accepted`,
      );
    }
    // The check is real: a malformed RBAC object or Deployment is refused.
    const role = only(objectsOf('deploy/base'), 'Role', 'azo-operator');
    await assert.rejects(
      kubectl(
        ['apply', '--server-side', '--dry-run=server', '-f', '-'],
        stringify({ ...role, rules: [{ apiGroups: [''], resources: ['secrets'], verb: ['get'] }] }),
      ),
      /verb|unknown field|strict/i,
    );
    const deployment = only(objectsOf('deploy/base'), 'Deployment', 'azo-operator');
    const typo = structuredClone(deployment) as unknown as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    const firstContainer = typo.spec.template.spec.containers[0];
    assert.ok(firstContainer);
    firstContainer['imagePullPolicyy'] = 'Always';
    await assert.rejects(
      kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], stringify(typo)),
      /imagePullPolicyy/,
    );
  });

  await t.test('the Deployment runs the operator as the overlays configure it', () => {
    for (const path of kustomizations) {
      const objects = objectsOf(path);
      const deployment = only(objects, 'Deployment', 'azo-operator');
      const pod = podTemplateOf(deployment);
      const [container, ...others] = pod.spec.containers;
      assert.ok(container !== undefined && others.length === 0, 'one container');
      assert.equal(pod.spec.serviceAccountName, operatorAccount.name);
      assert.equal(deployment.metadata.namespace, operatorAccount.namespace);
      assert.equal(pod.spec.securityContext?.runAsNonRoot, true);
      assert.ok((pod.spec.securityContext?.runAsUser ?? 0) > 0, 'a non-root user id');
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
      assert.ok(
        container.resources?.requests?.['cpu'] !== undefined && container.resources.requests['memory'] !== undefined,
        'resource requests',
      );
      assert.ok(container.args?.includes('--leader-election'), '--leader-election');
      assert.ok(
        !(container.args ?? []).some((arg) => arg.startsWith('--crd-pattern')),
        'no --crd-pattern: the kustomization installs the CRDs and the RBAC grants no CRD writes',
      );
      assert.deepEqual(container.env?.find((variable) => variable.name === 'POD_NAMESPACE')?.valueFrom, {
        fieldRef: { fieldPath: 'metadata.namespace' },
      });
      const healthPort = Number((container.args ?? []).find((arg) => arg.startsWith('--health-port='))?.split('=')[1]);
      const namedPort = (port: string | number | undefined) =>
        typeof port === 'number' ? port : container.ports?.find((candidate) => candidate.name === port)?.containerPort;
      assert.equal(namedPort(container.livenessProbe?.httpGet?.port), healthPort);
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(namedPort(container.readinessProbe?.httpGet?.port), healthPort);
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
      // The webhook Service reaches the port the operator serves the webhook on, named as the CRDs say.
      const webhookService = only(objects, 'Service', 'azo-webhook') as unknown as {
        metadata: { namespace: string };
        spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: string }> };
      };
      const webhookArg = Number((container.args ?? []).find((arg) => arg.startsWith('--webhook-port='))?.split('=')[1]);
      assert.equal(webhookService.metadata.namespace, deployment.metadata.namespace);
      assert.deepEqual(
        webhookService.spec.selector,
        podTemplateOf(deployment).metadata?.labels === undefined
          ? {}
          : { 'app.kubernetes.io/name': podTemplateOf(deployment).metadata?.labels?.['app.kubernetes.io/name'] },
      );
      assert.equal(namedPort(webhookService.spec.ports[0]?.targetPort), webhookArg);
      assert.equal(
        webhookService.spec.ports[0]?.port,
        'service' in webhookEndpoint ? webhookEndpoint.service.port : undefined,
      );
      assert.ok(
        (container.args ?? []).includes(
          `--webhook-service=${'service' in webhookEndpoint ? webhookEndpoint.service.name : ''}`,
        ),
        '--webhook-service names the Service',
      );
      const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
      assert.ok(
        tmp !== undefined &&
          pod.spec.volumes?.some((volume) => volume.name === tmp.name && volume.emptyDir !== undefined),
        'a writable /tmp',
      );
      // Each target namespace has the operator's Secrets/ConfigMaps Role, and no other namespace has one.
      const rules = rulesFor(objects, operatorAccount);
      const watchable = (namespace: string) =>
        ['secrets', 'configmaps'].every(
          (resource) =>
            allowingRules(rules, {
              type: 'resource',
              verb: 'watch',
              apiGroup: '',
              resource,
              subresource: '',
              namespace,
              name: '',
            }).length > 0,
        );
      const namespaces = [
        ...new Set(objects.map((object) => object.metadata.namespace ?? '').filter((namespace) => namespace !== '')),
      ];
      assert.deepEqual(
        namespaces.filter(watchable).sort(),
        [...targetNamespacesOf(container)].sort(),
        `${path}: AZURE_TARGET_NAMESPACES matches the namespaces with a Role`,
      );
    }
    const spSecret = only(objectsOf('deploy/overlays/service-principal'), 'Secret', 'aso-controller-settings');
    assert.equal(spSecret.metadata.namespace, operatorAccount.namespace, 'aso-controller-settings is in POD_NAMESPACE');
    const wi = objectsOf('deploy/overlays/workload-identity');
    const wiPod = podTemplateOf(only(wi, 'Deployment'));
    assert.equal(wiPod.metadata?.labels?.['azure.workload.identity/use'], 'true');
    const settingsName = wiPod.spec.containers[0]?.envFrom?.[0]?.configMapRef?.name ?? '';
    const settings = only(wi, 'ConfigMap', settingsName)['data'] as Record<string, string>;
    for (const key of ['AZURE_CLIENT_ID', 'AZURE_TENANT_ID', 'AZURE_SUBSCRIPTION_ID'])
      assert.ok(settings[key] !== undefined, `workload identity settings carry ${key}`);
    assert.equal(
      only(wi, 'ServiceAccount').metadata.annotations?.['azure.workload.identity/client-id'],
      settings['AZURE_CLIENT_ID'],
      'the ServiceAccount names the same client ID',
    );
  });
  await t.test(
    'the RBAC allows every request of the operator run as the Deployment says, each rule is needed, and no ' +
      'Secret or ConfigMap access is cluster-wide',
    async () => {
      const objects = objectsOf('deploy/overlays/service-principal');
      const deployment = only(objects, 'Deployment', 'azo-operator');
      const container = podTemplateOf(deployment).spec.containers[0];
      assert.ok(container !== undefined);
      const targetNamespace = targetNamespacesOf(container)[0] ?? '';
      // The overlay's Secret, filled in as a user would (here with the emulator's tenant).
      const settingsSecret = only(objects, 'Secret', 'aso-controller-settings');
      await kubectl(
        ['apply', '--server-side', '-f', '-'],
        stringify({
          ...settingsSecret,
          stringData: {
            AZURE_SUBSCRIPTION_ID: subscriptionId,
            AZURE_TENANT_ID: emulator.tenantId,
            AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000de901',
            AZURE_CLIENT_SECRET: 'deploy-test-secret',
          },
        }),
      );
      const proxy = await startRecordingProxy(apiServer.url, apiServer.caCertPem);
      t.after(() => proxy.close());
      const proxyKubeconfig = join(dir, 'kubeconfig-proxy');
      writeFileSync(
        proxyKubeconfig,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          'current-context': 'proxy',
          clusters: [
            {
              name: 'proxy',
              cluster: {
                server: proxy.url,
                'certificate-authority-data': Buffer.from(proxy.caCertPem).toString('base64'),
              },
            },
          ],
          users: [{ name: 'operator', user: { token: apiServer.token } }],
          contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'operator' } }],
        }),
      );
      const caFile = join(dir, 'emulator-ca.pem');
      writeFileSync(caFile, emulator.caCertPem);

      // The container's args and env as the kubelet would give them (the health port made free, ARM pointed at the
      // emulator); the credential comes from aso-controller-settings, as in the cluster.
      const env: Record<string, string> = {
        KUBECONFIG: '',
        AZURE_SUBSCRIPTION_ID: '',
        AZURE_TENANT_ID: '',
        AZURE_CLIENT_ID: '',
        AZURE_CLIENT_SECRET: '',
        AZURE_RESOURCE_MANAGER_ENDPOINT: emulator.url,
        AZURE_AUTHORITY_HOST: emulator.url,
        AZURE_SYNC_PERIOD: 'never',
        MAX_CONCURRENT_RECONCILES: '4',
      };
      for (const variable of container.env ?? []) {
        if (variable.value !== undefined) env[variable.name] = variable.value;
        else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace')
          env[variable.name] = deployment.metadata.namespace ?? '';
        else assert.fail(`the test does not know how to set ${variable.name} like the kubelet`);
      }
      const args = (container.args ?? []).map((arg) =>
        arg.startsWith('--health-port=')
          ? '--health-port=0'
          : arg.startsWith('--metrics-addr=')
            ? '--metrics-addr=127.0.0.1:0'
            : arg.startsWith('--webhook-port=')
              ? '--webhook-port=0'
              : arg,
      );
      const operator = spawnAzo(
        ['operator', ...args, '--kubeconfig', proxyKubeconfig, '--arm-ca-file', caFile, '--log-level', 'warn'],
        env,
      );
      t.after(() => operator.stop());
      const healthPort = Number((await operator.waitFor(/health endpoints on port (\d+)/))[1]);
      const metricsPort = Number((await operator.waitFor(/metrics on port (\d+)/))[1]);
      webhookPort = Number((await operator.waitFor(/conversion webhook on port (\d+)/))[1]);
      await operator.waitFor(/azo operator running/);
      assert.match(
        (await httpGet(metricsPort, '/metrics')).body,
        /^# TYPE controller_runtime_reconcile_total counter$/m,
      );
      assert.deepEqual(await httpGet(healthPort, '/healthz'), { status: 200, body: 'ok\n' });
      assert.deepEqual(await httpGet(healthPort, '/readyz'), { status: 200, body: 'ready\n' });

      const scenario = join(dir, 'scenario.yaml');
      writeFileSync(scenario, scenarioYaml(targetNamespace));
      await kubectl(['apply', '-f', scenario]);
      const resources = [
        'resourcegroups.resources.azure.com/deploy-rg',
        'storageaccounts.storage.azure.com/deploystorage1',
        'userassignedidentities.managedidentity.azure.com/deploy-identity',
        'flexibleservers.dbforpostgresql.azure.com/deploy-pg',
      ];
      try {
        await kubectl(['wait', '--for=condition=Ready', '--timeout=120s', '-n', targetNamespace, ...resources]);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${operator.output().slice(-3000)}`);
      }
      const keys = JSON.parse(
        await kubectl(['get', 'secret', 'deploystorage1-keys', '-n', targetNamespace, '-o', 'json']),
      ) as { data: Record<string, string> };
      assert.ok((keys.data['key1'] ?? '') !== '', 'the storage key is exported');
      const identity = JSON.parse(
        await kubectl(['get', 'configmap', 'deploy-identity-ids', '-n', targetNamespace, '-o', 'json']),
      ) as { data: Record<string, string> };
      assert.match(identity.data['clientId'] ?? '', /^[0-9a-f-]{36}$/, 'the identity client ID is exported');
      await kubectl(['delete', '-f', scenario, '--wait=true', '--timeout=120s']);
      await operator.stop('SIGTERM');
      assert.doesNotMatch(operator.output(), /lost the leader|forbidden/i);

      // Every recorded request, plus what admission checks for it (OwnerReferencesPermissionEnforcement: setting
      // blockOwnerDeletion needs update on the owner's finalizers subresource), must be allowed.
      const plurals = new Map(
        objects
          .filter((object) => object.kind === 'CustomResourceDefinition')
          .map((crd) => {
            const spec = crd['spec'] as { group: string; names: { kind: string; plural: string } };
            return [`${spec.group}/${spec.names.kind}`, spec.names.plural];
          }),
      );
      const needs: Array<{ request: RequestAttributes; because: string }> = [];
      for (const recorded of proxy.requests) {
        const request = attributesOf(recorded.method, recorded.url);
        needs.push({ request, because: `${recorded.method} ${recorded.url}` });
        assert.ok(
          recorded.status !== undefined && recorded.status < 500,
          `${recorded.method} ${recorded.url} answered ${String(recorded.status)}`,
        );
        for (const owner of blockingOwners(recorded.body)) {
          const plural = plurals.get(`${groupOf(owner.apiVersion)}/${owner.kind}`);
          assert.ok(plural !== undefined, `owner kind ${owner.apiVersion} ${owner.kind} has a CRD`);
          needs.push({
            request: {
              type: 'resource',
              verb: 'update',
              apiGroup: groupOf(owner.apiVersion),
              resource: plural,
              subresource: 'finalizers',
              namespace: request.type === 'resource' ? request.namespace : '',
              name: owner.name,
            },
            because: `blockOwnerDeletion in ${recorded.method} ${recorded.url}`,
          });
        }
      }
      const rules = rulesFor(objects, operatorAccount);
      const distinct = [...new Set(needs.map((need) => describeRequest(need.request)))]
        .filter((line) => !/^(list|watch) \S+\.azure\.com\//.test(line))
        .sort();
      t.diagnostic(`the operator needed (besides list and watch of every kind): ${distinct.join('; ')}`);
      const denied = needs.filter((need) => allowingRules(rules, need.request).length === 0);
      assert.deepEqual(
        [...new Set(denied.map((need) => `${describeRequest(need.request)} (${need.because})`))],
        [],
        'requests the RBAC would refuse',
      );

      // Each rule is the only one allowing some request: remove any and the operator is refused. (The status and
      // finalizers rules of kinds this scenario does not create are generated the same way as those of the kinds it
      // does.)
      const exercisedGroups = new Set([
        'resources.azure.com',
        'storage.azure.com',
        'managedidentity.azure.com',
        'dbforpostgresql.azure.com',
      ]);
      const exportingGroups = new Set(['storage.azure.com', 'managedidentity.azure.com']);
      const checked = rules
        .filter((granted) => granted.rule.nonResourceURLs === undefined)
        .filter((granted) => {
          if (!granted.source.startsWith(`ClusterRole/${kindsClusterRoleName} `)) return true;
          const group = granted.rule.apiGroups?.[0] ?? '';
          const resources = granted.rule.resources ?? [];
          if (resources.every((resource) => resource.endsWith('/finalizers'))) return exportingGroups.has(group);
          if (resources.every((resource) => resource.endsWith('/status'))) return exercisedGroups.has(group);
          return true; // every kind is listed and watched
        });
      assert.ok(checked.length >= 20, `the hand-written rules and the generated ones (${checked.length})`);
      const unneeded = checked.filter(
        (granted) =>
          !needs.some((need) => ruleAllows(granted, need.request) && allowingRules(rules, need.request).length === 1),
      );
      assert.deepEqual(
        unneeded.map((granted) => `${granted.source}: ${JSON.stringify(granted.rule)}`),
        [],
        'rules no request needs',
      );

      // Secrets and ConfigMaps: nothing cluster-wide, nothing in other namespaces, in the operator's namespace only
      // `get aso-controller-settings` and `azo-digest-key`, and `create` (of the digest key: create takes no name).
      const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
      for (const resource of ['secrets', 'configmaps']) {
        for (const granted of rules.filter(
          (candidate) => candidate.namespace === undefined && candidate.rule.nonResourceURLs === undefined,
        )) {
          const groups = granted.rule.apiGroups ?? [];
          const names = granted.rule.resources ?? [];
          assert.ok(
            !(
              (groups.includes('') || groups.includes('*')) &&
              names.some((name) => name === resource || name === '*' || name.startsWith(`${resource}/`))
            ),
            `${granted.source} grants ${resource} cluster-wide`,
          );
        }
        for (const verb of verbs) {
          for (const namespace of ['', 'kube-system', operatorAccount.namespace]) {
            const request: RequestAttributes = {
              type: 'resource',
              verb,
              apiGroup: '',
              resource,
              subresource: '',
              namespace,
              name: 'any-name',
            };
            const allowed = allowingRules(rules, request).map((granted) => granted.source);
            const digestKeyCreate =
              resource === 'secrets' && verb === 'create' && namespace === operatorAccount.namespace;
            assert.equal(allowed.length, digestKeyCreate ? 1 : 0, `${describeRequest(request)}: ${allowed.join(', ')}`);
          }
        }
      }
      for (const name of ['aso-controller-settings', 'azo-digest-key', 'azo-webhook-tls']) {
        assert.equal(
          allowingRules(rules, {
            type: 'resource',
            verb: 'get',
            apiGroup: '',
            resource: 'secrets',
            subresource: '',
            namespace: operatorAccount.namespace,
            name,
          }).length,
          1,
          name,
        );
      }
      assert.deepEqual(
        allowingRules(rules, {
          type: 'resource',
          verb: 'delete',
          apiGroup: '',
          resource: 'secrets',
          subresource: '',
          namespace: targetNamespace,
          name: 'deploystorage1-keys',
        }),
        [],
        'the operator never deletes Secrets',
      );
    },
  );
});

/** Owner references with blockOwnerDeletion in a request body (a Secret/ConfigMap export, or a metadata patch). */
function blockingOwners(body: unknown): Array<{ apiVersion: string; kind: string; name: string }> {
  const owners = (
    body as
      | {
          metadata?: {
            ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; blockOwnerDeletion?: boolean }>;
          };
        }
      | undefined
  )?.metadata?.ownerReferences;
  return (owners ?? []).filter((owner) => owner.blockOwnerDeletion === true);
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

const subscriptionId = '00000000-0000-0000-0000-0000000de9a1';

/** A ResourceGroup, a StorageAccount exporting a key to a Secret, an identity exporting its client ID to a ConfigMap,
 * and a PostgreSQL server whose password is a Secret input. */
function scenarioYaml(namespace: string): string {
  return `apiVersion: v1
kind: Secret
metadata: { name: deploy-pg-admin, namespace: ${namespace} }
stringData: { password: "Deploy-test-1234!" }
---
apiVersion: resources.azure.com/v1api20200601
kind: ResourceGroup
metadata: { name: deploy-rg, namespace: ${namespace} }
spec: { location: westeurope }
---
apiVersion: storage.azure.com/v20230101
kind: StorageAccount
metadata: { name: deploystorage1, namespace: ${namespace} }
spec:
  owner: { name: deploy-rg }
  location: westeurope
  kind: StorageV2
  sku: { name: Standard_LRS }
  operatorSpec:
    secrets:
      key1: { name: deploystorage1-keys, key: key1 }
---
apiVersion: managedidentity.azure.com/v20181130
kind: UserAssignedIdentity
metadata: { name: deploy-identity, namespace: ${namespace} }
spec:
  owner: { name: deploy-rg }
  location: westeurope
  operatorSpec:
    configMaps:
      clientId: { name: deploy-identity-ids, key: clientId }
---
apiVersion: dbforpostgresql.azure.com/v20250801
kind: FlexibleServer
metadata: { name: deploy-pg, namespace: ${namespace} }
spec:
  owner: { name: deploy-rg }
  location: westeurope
  version: "16"
  sku: { name: Standard_B1ms, tier: Burstable }
  storage: { storageSizeGB: 32 }
  administratorLogin: azoadmin
  administratorLoginPassword: { name: deploy-pg-admin, key: password }
`;
}
