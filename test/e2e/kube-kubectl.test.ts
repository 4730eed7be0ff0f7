/**
 * `azo apiserver` driven by real kubectl (1.27 and 1.33 when installed): CRDs and custom resources, get in every
 * output, patch of each type, label, annotate, wait, get -w, finalizers, server-side apply, explain, namespace
 * deletion, conflicts, and a restart with --data-dir.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  kubectl,
  kubectlBinaries,
  spawnApiServer,
  startKubectl,
  temporaryDir,
  type ApiServerProcess,
} from './kube-helpers.js';

const binaries = kubectlBinaries();
const workDir = temporaryDir('azo-kube-e2e-');
const kubeconfig = join(workDir, 'kubeconfig');
const dataDir = join(workDir, 'data');
let server: ApiServerProcess;
let cacheCounter = 0;

before(async () => {
  if (binaries.length === 0) return;
  server = await spawnApiServer({ kubeconfig, dataDir });
});
after(async () => {
  if (server) await server.stop();
  rmSync(workDir, { recursive: true, force: true });
});

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
    - {name: Color, type: string, jsonPath: .spec.color, priority: 1}
    schema:
      openAPIV3Schema:
        type: object
        description: A widget for tests.
        properties:
          spec:
            type: object
            description: The desired widget.
            properties:
              replicas: {type: integer, minimum: 0, description: How many widgets.}
              color: {type: string, enum: [red, blue]}
          status:
            type: object
            properties:
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
`;

const widget = (namespace: string, name: string, replicas = 3) => `apiVersion: example.com/v1
kind: Widget
metadata: {name: ${name}, namespace: ${namespace}, labels: {app: demo}}
spec: {color: red, replicas: ${replicas}}
`;

for (const { version, path: binary } of binaries) {
  describe(`kubectl ${version}`, { timeout: 240_000 }, () => {
    const ns = `v${version.replace('.', '')}`;
    const run = (args: string[], input?: string, env?: Record<string, string>) =>
      kubectl(binary, kubeconfig, join(workDir, `cache-${++cacheCounter}`), args, input, env);
    const ok = async (args: string[], input?: string) => {
      const result = await run(args, input);
      assert.equal(result.code, 0, `kubectl ${args.join(' ')} failed:\n${result.stderr}`);
      return result.stdout;
    };

    it('applies a CRD, waits for it, and applies custom resources', async () => {
      await ok(['apply', '-f', '-'], crd);
      await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
      await ok(['create', 'namespace', ns]);
      assert.match(await ok(['apply', '-f', '-'], widget(ns, 'w1')), /widget.example.com\/w1 created/);
      assert.match(await ok(['apply', '-f', '-'], widget(ns, 'w1')), /unchanged/);
      assert.match(await ok(['apply', '-f', '-'], widget(ns, 'w1', 4)), /configured/);
    });

    it('gets with printer columns, -o wide, -o json and -o yaml, by short name and category', async () => {
      const table = await ok(['get', 'wd', '-n', ns]);
      assert.match(table, /NAME\s+REPLICAS\s+READY\s*\n/);
      assert.match(table, /w1\s+4\s+/);
      assert.match(
        await ok(['get', 'widgets', '-n', ns, '-o', 'wide']),
        /NAME\s+REPLICAS\s+READY\s+COLOR\s*\nw1\s+4\s+red/,
      );
      const json = JSON.parse(await ok(['get', 'widget', 'w1', '-n', ns, '-o', 'json'])) as {
        spec: { replicas: number };
        metadata: { generation: number };
      };
      assert.equal(json.spec.replicas, 4);
      assert.equal(json.metadata.generation, 2);
      assert.match(await ok(['get', 'widget', 'w1', '-n', ns, '-o', 'yaml']), /kind: Widget/);
      assert.match(
        await ok(['get', 'all', '-n', ns]),
        /^(widget\.example\.com\/)?w1\s+4/m,
        'kubectl prefixes names when the category has several kinds (Deployments are in all too)',
      );
      assert.match(await ok(['get', 'namespaces']), /kube-system\s+Active/);
      assert.match(await ok(['api-resources']), /widgets\s+wd\s+example.com\/v1\s+true\s+Widget/);
    });

    it('labels, annotates and patches custom resources and built-ins with every patch type', async () => {
      await ok(['label', 'wd', 'w1', '-n', ns, 'tier=gold']);
      await ok(['annotate', 'wd', 'w1', '-n', ns, 'note=hello']);
      await ok(['patch', 'wd', 'w1', '-n', ns, '--type', 'merge', '-p', '{"spec":{"replicas":5}}']);
      await ok([
        'patch',
        'wd',
        'w1',
        '-n',
        ns,
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/color","value":"blue"}]',
      ]);
      const strategic = await run(['patch', 'wd', 'w1', '-n', ns, '-p', '{"spec":{"replicas":6}}']);
      assert.notEqual(strategic.code, 0);
      assert.match(strategic.stderr, /application\/strategic-merge-patch\+json is not supported/);
      const object = JSON.parse(await ok(['get', 'wd', 'w1', '-n', ns, '-o', 'json'])) as {
        metadata: { labels: Record<string, string>; annotations: Record<string, string> };
        spec: { replicas: number; color: string };
      };
      assert.equal(object.metadata.labels.tier, 'gold');
      assert.equal(object.metadata.annotations.note, 'hello');
      assert.deepEqual(object.spec, { color: 'blue', replicas: 5 });
      await ok(['create', 'configmap', 'settings', '-n', ns, '--from-literal=a=1']);
      await ok(['patch', 'configmap', 'settings', '-n', ns, '-p', '{"data":{"b":"2"}}']);
      assert.equal(await ok(['get', 'configmap', 'settings', '-n', ns, '-o', 'jsonpath={.data.a},{.data.b}']), '1,2');
      await ok(['create', 'secret', 'generic', 'token', '-n', ns, '--from-literal=key=value']);
      assert.match(await ok(['get', 'secrets', '-n', ns]), /token\s+Opaque\s+1/);
    });

    it('edits a custom resource and a config map with the default validation', async () => {
      await ok(['apply', '-f', '-'], widget(ns, 'w-edit', 1));
      const editor = { KUBE_EDITOR: `sed -i -e 's/replicas: 1$/replicas: 9/' -e 's/a: "1"$/a: "10"/'` };
      assert.match(
        (await run(['edit', 'wd', 'w-edit', '-n', ns], undefined, editor)).stdout,
        /widget.example.com\/w-edit edited/,
      );
      assert.equal(await ok(['get', 'wd', 'w-edit', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '9');
      assert.match(
        (await run(['edit', 'configmap', 'settings', '-n', ns], undefined, editor)).stdout,
        /configmap\/settings edited/,
      );
      assert.equal(await ok(['get', 'configmap', 'settings', '-n', ns, '-o', 'jsonpath={.data.a}']), '10');
      const invalid = await run(['edit', 'wd', 'w-edit', '-n', ns], undefined, {
        KUBE_EDITOR: `sed -i -e 's/color: red$/color: green/'`,
      });
      assert.notEqual(invalid.code, 0);
      assert.match(invalid.stderr, /widgets.example.com "w-edit" is invalid/);
      assert.equal(await ok(['get', 'wd', 'w-edit', '-n', ns, '-o', 'jsonpath={.spec.color}']), 'red');
    });

    it('describes a custom resource with its events from both event APIs', async () => {
      const uid = await ok(['get', 'wd', 'w-edit', '-n', ns, '-o', 'jsonpath={.metadata.uid}']);
      const event = `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: w-edit.1, namespace: ${ns}}
eventTime: "2024-05-01T10:00:00.000000Z"
reportingController: azo.test/controller
reportingInstance: azo-test-1
action: Reconcile
reason: Edited
note: the widget was edited
type: Normal
regarding: {apiVersion: example.com/v1, kind: Widget, name: w-edit, namespace: ${ns}, uid: ${uid}}
`;
      await ok(['create', '-f', '-'], event);
      const described = await ok(['describe', 'wd', 'w-edit', '-n', ns]);
      assert.match(described, /Name:\s+w-edit/);
      assert.match(described, /Replicas:\s+9/);
      assert.match(described, /Normal\s+Edited\s+.*the widget was edited/);
    });

    it('reports invalid custom resources naming each bad field, and stores nothing', async () => {
      const result = await run(
        ['apply', '-f', '-'],
        widget(ns, 'w-invalid').replace('color: red', 'color: green').replace('replicas: 3', 'replicas: -1'),
      );
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /The Widget "w-invalid" is invalid/);
      assert.match(result.stderr, /spec.color: Unsupported value: "green"/);
      assert.match(result.stderr, /spec.replicas: Invalid value: -1/);
      assert.notEqual((await run(['get', 'wd', 'w-invalid', '-n', ns])).code, 0);
    });

    it('waits for a condition set through the status subresource', async () => {
      const waiting = run(['wait', '--for=condition=Ready', 'wd/w1', '-n', ns, '--timeout=30s']);
      await new Promise((resolve) => setTimeout(resolve, 500));
      await ok([
        'patch',
        'wd',
        'w1',
        '-n',
        ns,
        '--subresource=status',
        '--type',
        'merge',
        '-p',
        '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
      ]);
      const result = await waiting;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /condition met/);
      assert.match(await ok(['get', 'wd', 'w1', '-n', ns]), /w1\s+5\s+True/);
    });

    it('streams changes with get -w', async () => {
      const child = spawn(
        binary,
        [
          '--kubeconfig',
          kubeconfig,
          '--cache-dir',
          join(workDir, `cache-${++cacheCounter}`),
          'get',
          'wd',
          '-n',
          ns,
          '-w',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        const deadline = Date.now() + 20_000;
        while (!/w1/.test(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        await ok(['apply', '-f', '-'], widget(ns, 'w-watched', 7));
        while (!/w-watched\s+7/.test(output) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 100));
        assert.match(output, /w-watched\s+7/);
      } finally {
        child.kill();
      }
    });

    it('holds a delete until finalizers are removed', async () => {
      await ok([
        'patch',
        'wd',
        'w-watched',
        '-n',
        ns,
        '--type',
        'merge',
        '-p',
        '{"metadata":{"finalizers":["example.com/hold"]}}',
      ]);
      const deleting = startKubectl(binary, kubeconfig, join(workDir, `cache-${++cacheCounter}`), [
        'delete',
        'wd',
        'w-watched',
        '-n',
        ns,
        '--timeout=60s',
      ]).done;
      let settled = false;
      void deleting.then(() => (settled = true));
      const deadline = Date.now() + 30_000;
      while (
        (await run(['get', 'wd', 'w-watched', '-n', ns, '-o', 'jsonpath={.metadata.deletionTimestamp}'])).stdout ===
          '' &&
        Date.now() < deadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.notEqual(
        await ok(['get', 'wd', 'w-watched', '-n', ns, '-o', 'jsonpath={.metadata.deletionTimestamp}']),
        '',
      );
      assert.equal(settled, false, 'kubectl delete returned while a finalizer held the object');
      await ok(['patch', 'wd', 'w-watched', '-n', ns, '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
      const deleted = await deleting;
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, /widget.example.com "w-watched" deleted/);
      const gone = await run(['get', 'wd', 'w-watched', '-n', ns]);
      assert.notEqual(gone.code, 0);
      assert.match(gone.stderr, /NotFound|not found/);
    });

    it('server-side applies, and reports a conflict on a stale update', async () => {
      assert.match(await ok(['apply', '--server-side', '-f', '-'], widget(ns, 'w-ssa', 2)), /serverside-applied/);
      assert.match(await ok(['apply', '--server-side', '-f', '-'], widget(ns, 'w-ssa', 3)), /serverside-applied/);
      assert.equal(await ok(['get', 'wd', 'w-ssa', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '3');
      const stale = JSON.parse(await ok(['get', 'wd', 'w-ssa', '-n', ns, '-o', 'json'])) as Record<string, unknown>;
      await ok(['patch', 'wd', 'w-ssa', '-n', ns, '--type', 'merge', '-p', '{"spec":{"replicas":8}}']);
      const conflict = await run(['replace', '-f', '-'], JSON.stringify(stale));
      assert.notEqual(conflict.code, 0);
      assert.match(
        conflict.stderr,
        /the object has been modified; please apply your changes to the latest version and try again/,
      );
    });

    it('reports server-side apply conflicts with another field manager, and forces them', async () => {
      const other = await run(['apply', '--server-side', '--field-manager=other', '-f', '-'], widget(ns, 'w-ssa', 4));
      assert.notEqual(other.code, 0);
      assert.match(
        other.stderr,
        /Apply failed with 1 conflict: conflict with "kubectl-patch"( using example.com\/v1)?: \.spec\.replicas/,
      );
      assert.equal(await ok(['get', 'wd', 'w-ssa', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '8');
      assert.match(
        await ok(
          ['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'],
          widget(ns, 'w-ssa', 4),
        ),
        /serverside-applied/,
      );
      const managed = JSON.parse(await ok(['get', 'wd', 'w-ssa', '-n', ns, '-o', 'json', '--show-managed-fields'])) as {
        spec: { replicas: number };
        metadata: { managedFields: Array<{ manager: string; fieldsV1: { 'f:spec'?: Record<string, unknown> } }> };
      };
      assert.equal(managed.spec.replicas, 4);
      const owners = managed.metadata.managedFields
        .filter((entry) => entry.fieldsV1['f:spec']?.['f:replicas'] !== undefined)
        .map((entry) => entry.manager);
      assert.deepEqual(owners, ['other']);
    });

    it('answers kubectl version, auth can-i and auth whoami', async () => {
      assert.match(await ok(['version']), /Server Version: .*v1\.30\.0/);
      assert.equal((await ok(['auth', 'can-i', 'create', 'widgets', '-n', ns])).trim(), 'yes');
      assert.match(await ok(['auth', 'whoami']), /Username\s+azo-admin/);
      // kubectl before 1.28 asks for v1beta1, then v1alpha1.
      for (const version of ['v1beta1', 'v1alpha1']) {
        const review = JSON.parse(
          await ok(
            ['create', '--raw', `/apis/authentication.k8s.io/${version}/selfsubjectreviews`, '-f', '-'],
            `{"apiVersion":"authentication.k8s.io/${version}","kind":"SelfSubjectReview"}`,
          ),
        ) as { apiVersion: string; status: { userInfo: { username: string } } };
        assert.equal(review.apiVersion, `authentication.k8s.io/${version}`);
        assert.equal(review.status.userInfo.username, 'azo-admin');
      }
    });

    it('explains custom resources from their schema', async () => {
      const explained = await ok(['explain', 'widgets.spec']);
      assert.match(explained, /The desired widget/);
      assert.match(explained, /replicas\s+<integer>/);
    });

    it('rejects unknown fields under kubectl default strict validation', async () => {
      const result = await run(
        ['apply', '-f', '-'],
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict, namespace: ${ns}}\ndata: {a: "1"}\nbogus: 1\n`,
      );
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /unknown field "bogus"/);
      const custom = await run(['apply', '-f', '-'], widget(ns, 'w-strict').replace('spec: {', 'spec: {bogus: 1, '));
      assert.notEqual(custom.code, 0);
      assert.match(custom.stderr, /unknown field "spec.bogus"/);
    });

    it('deletes a namespace with its contents', async () => {
      await ok(['delete', 'namespace', ns, '--timeout=60s']);
      const gone = await run(['get', 'namespace', ns]);
      assert.notEqual(gone.code, 0);
      assert.match(await ok(['get', 'wd', '-A']), /^(No resources found)?\s*$/);
    });
  });
}

describe('restart with --data-dir', { skip: binaries.length === 0 ? 'kubectl is not installed' : false }, () => {
  it('keeps objects, the CA and the token across a restart, and shuts down cleanly on SIGTERM', async () => {
    const binary = binaries[binaries.length - 1]?.path ?? 'kubectl';
    const run = (args: string[], input?: string, env?: Record<string, string>) =>
      kubectl(binary, kubeconfig, join(workDir, `cache-${++cacheCounter}`), args, input, env);
    await run(['apply', '-f', '-'], crd);
    const created = await run(['create', 'configmap', 'persistent', '--from-literal=a=1']);
    assert.equal(created.code, 0, created.stderr);
    const before = JSON.parse((await run(['get', 'configmap', 'persistent', '-o', 'json'])).stdout) as {
      metadata: { uid: string; resourceVersion: string };
    };
    const port = new URL(server.url).port;
    assert.equal(await server.stop('SIGTERM'), 0);
    server = await spawnApiServer({ kubeconfig, dataDir, port: Number(port) });
    const afterRestart = await run(['get', 'configmap', 'persistent', '-o', 'json']);
    assert.equal(afterRestart.code, 0, afterRestart.stderr);
    const restored = JSON.parse(afterRestart.stdout) as { metadata: { uid: string; resourceVersion: string } };
    assert.equal(restored.metadata.uid, before.metadata.uid);
    assert.equal((await run(['get', 'crd', 'widgets.example.com'])).code, 0);
    await run(['label', 'configmap', 'persistent', 'after=restart']);
    const relabelled = JSON.parse((await run(['get', 'configmap', 'persistent', '-o', 'json'])).stdout) as {
      metadata: { resourceVersion: string };
    };
    assert.ok(Number(relabelled.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  });
});
