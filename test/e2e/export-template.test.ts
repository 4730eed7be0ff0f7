// `azo export template` through the real CLI: the manifests for an image and version, with the CRDs and the kinds'
// RBAC narrowed by --crd-pattern, accepted by the embedded API server (`kubectl apply --dry-run=server`); the same
// objects as `kubectl kustomize deploy/base` apart from the image, the version label and the narrowed kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindsClusterRoleName } from '../../src/codegen/index.js';
import { kubectlPath, only, parseManifests, podTemplateOf, run } from './deploy-manifests.js';
import { repoRoot, spawnApiServer } from './kube-helpers.js';

const azo = (args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repoRoot });

test('azo export template: install manifests for an image and version, accepted by kubectl apply --dry-run=server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'azo-export-'));
  const server = await spawnApiServer({ kubeconfig: join(dir, 'kubeconfig') });
  t.after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const pattern = 'resources.azure.com/*;storage.azure.com/StorageAccount';
  const file = join(dir, 'azo.yaml');
  await azo([
    'export',
    'template',
    '--image',
    'registry.example.com/azo',
    '--version',
    '1.2.3',
    '--crd-pattern',
    pattern,
    '-o',
    file,
  ]);
  const objects = parseManifests(await run('cat', [file]));
  const crds = objects
    .filter((object) => object.kind === 'CustomResourceDefinition')
    .map((object) => object.metadata.name);
  assert.deepEqual(crds.sort(), ['resourcegroups.resources.azure.com', 'storageaccounts.storage.azure.com']);
  const rules = only(objects, 'ClusterRole', kindsClusterRoleName)['rules'] as Array<{
    apiGroups: string[];
    resources: string[];
  }>;
  assert.deepEqual([...new Set(rules.map((rule) => rule.apiGroups[0]))].sort(), [
    'resources.azure.com',
    'storage.azure.com',
  ]);
  assert.ok(
    rules.every((rule) => rule.resources.length === 1),
    'RBAC only for the selected kinds',
  );
  const deployment = only(objects, 'Deployment', 'azo-operator');
  assert.equal(podTemplateOf(deployment).spec.containers[0]?.image, 'registry.example.com/azo:1.2.3');
  for (const object of objects) {
    assert.equal(
      object.metadata.labels?.['app.kubernetes.io/version'],
      '1.2.3',
      `${object.kind} ${object.metadata.name}`,
    );
    assert.equal(object.metadata.labels?.['app.kubernetes.io/part-of'], 'azo');
  }

  // The same objects kustomize renders from deploy/base, but for the image, the version label and the narrowed kinds.
  const kustomized = parseManifests(await run(kubectlPath, ['kustomize', 'deploy/base'], { cwd: repoRoot }));
  const names = (list: typeof objects) =>
    list
      .filter((object) => object.kind !== 'CustomResourceDefinition')
      .map((object) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`)
      .sort();
  assert.deepEqual(names(objects), names(kustomized));
  const normalize = (object: (typeof objects)[number]) => {
    const copy = structuredClone(object);
    delete copy.metadata.labels?.['app.kubernetes.io/version'];
    return copy;
  };
  const kustomizedDeployment = structuredClone(only(kustomized, 'Deployment', 'azo-operator'));
  const container = podTemplateOf(kustomizedDeployment).spec.containers[0];
  assert.ok(container);
  container.image = 'registry.example.com/azo:1.2.3';
  assert.deepEqual(normalize(deployment), kustomizedDeployment);
  assert.deepEqual(
    normalize(only(objects, 'CustomResourceDefinition', 'storageaccounts.storage.azure.com')),
    only(kustomized, 'CustomResourceDefinition', 'storageaccounts.storage.azure.com'),
  );

  const kubectl = (args: string[]) => run(kubectlPath, ['--kubeconfig', server.kubeconfig, ...args]);
  // A dry run does not create the Namespace its namespaced objects need: create that one first.
  await kubectl(['create', 'namespace', 'azureserviceoperator-system']);
  const output = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', file]);
  assert.equal(output.split('\n').filter((line) => line.includes('(server dry run)')).length, objects.length, output);
  // The dry run is a real check: a typo in the exported Deployment is refused.
  const typo = structuredClone(deployment) as unknown as { spec: { replicass?: number } };
  typo.spec.replicass = 2;
  writeFileSync(join(dir, 'typo.yaml'), JSON.stringify(typo));
  await assert.rejects(
    kubectl(['apply', '--server-side', '--dry-run=server', '-f', join(dir, 'typo.yaml')]),
    /replicass/,
  );
});

test('azo export template: user errors are one line with exit code 2', () => {
  for (const [args, message] of [
    [['export', 'template'], /--image is required/],
    [['export', 'template', '--image', 'azo:1.0'], /without a tag/],
    [['export', 'template', '--image', 'azo', '--crd-pattern', 'nothing.azure.com/*'], /matches no kind/],
  ] as const) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
