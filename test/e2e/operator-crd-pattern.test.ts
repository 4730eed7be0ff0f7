// `--crd-pattern` keeps the kinds it does not select free: with every azo CRD installed, the operator (its own
// process, through a recording proxy in front of the API server) lists and watches only the selected kinds, and
// without the flag it lists and watches every one (so the check can fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { matchesCrdPattern, renderCrd } from '../../src/codegen/index.js';
import { startApiServer } from '../../src/kube/index.js';
import { listKindModels } from '../../src/model/index.js';
import { startRecordingProxy } from './deploy-proxy.js';
import { spawnAzo } from './operator-helpers.js';

const pattern = 'resources.azure.com/ResourceGroup;storage.azure.com/StorageAccount*;managedidentity.azure.com/*';

test('--crd-pattern: no list, no watch for a kind outside the pattern, even with its CRD installed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-crd-pattern-'));
  const apiServer = await startApiServer({ port: 0 });
  t.after(async () => {
    await apiServer.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(apiServer.kubeconfig);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const models = await listKindModels();
  for (const model of models) {
    await custom.createClusterCustomObject({
      group: 'apiextensions.k8s.io',
      version: 'v1',
      plural: 'customresourcedefinitions',
      body: renderCrd(model),
    });
  }
  const plurals = new Map(
    models.map((model) => {
      const crd = renderCrd(model) as { spec: { names: { plural: string } } };
      return [`${model.group}/${crd.spec.names.plural}`, model];
    }),
  );
  const selected = models.filter((model) => matchesCrdPattern(pattern, model.group, model.kind));
  assert.ok(
    selected.length >= 3 && selected.length < models.length / 2,
    `the pattern selects a few kinds (${selected.length})`,
  );

  /** The kinds the operator listed or watched (custom resources of azo groups), by `group/Kind`. */
  const kindsTouched = async (args: string[]) => {
    const proxy = await startRecordingProxy(apiServer.url, apiServer.caCertPem);
    const kubeconfig = join(dir, `kubeconfig-${args.length}`);
    writeFileSync(
      kubeconfig,
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
    const operator = spawnAzo(['operator', '--kubeconfig', kubeconfig, '--log-level', 'warn', ...args], {
      KUBECONFIG: '',
      AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-0000000c9a01',
      AZURE_TENANT_ID: '00000000-0000-0000-0000-0000000c9a02',
      AZURE_CLIENT_ID: '00000000-0000-0000-0000-0000000c9a03',
      AZURE_CLIENT_SECRET: 'pattern-test',
      AZURE_RESOURCE_MANAGER_ENDPOINT: 'https://127.0.0.1:9',
      AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9',
      AZURE_SYNC_PERIOD: 'never',
    });
    try {
      const served = Number((await operator.waitFor(/azo operator running: (\d+) kinds served/))[1]);
      const touched = new Set<string>();
      for (const request of proxy.requests) {
        const path = new URL(request.url, 'https://proxy').pathname;
        const match = /^\/apis\/([^/]+\.azure\.com)\/[^/]+\/(?:namespaces\/[^/]+\/)?([^/]+)$/.exec(path);
        if (request.method !== 'GET' || match === null) continue;
        const model = plurals.get(`${match[1] ?? ''}/${match[2] ?? ''}`);
        assert.ok(model, `a request for a known kind: ${path}`);
        touched.add(`${model.group}/${model.kind}`);
      }
      return { served, touched: [...touched].sort() };
    } finally {
      await operator.stop();
      await proxy.close();
    }
  };

  const limited = await kindsTouched(['--crd-pattern', pattern]);
  assert.equal(limited.served, selected.length);
  assert.deepEqual(
    limited.touched,
    selected.map((model) => `${model.group}/${model.kind}`).sort(),
    'only the selected kinds are listed and watched',
  );
  const everything = await kindsTouched([]);
  assert.equal(everything.served, models.length);
  assert.equal(
    everything.touched.length,
    models.length,
    'without --crd-pattern every installed kind is listed and watched',
  );
});
