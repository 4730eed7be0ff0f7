// `azo graph` end to end: `azo dev` (API server, emulator and operator in their own process) with every example
// applied, plus an object referencing an Azure resource by ARM ID and one in another namespace whose owner does not
// exist; then `azo graph` through the kubeconfig, as DOT, SVG and an HTML page. What the graph must show is read
// from Kubernetes (each object's Ready condition and the ownerReferences the operator set), not written here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './kube-helpers.js';
import { startDev, type DevProcess } from './dev-helpers.js';

const externalNsg =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/shared/providers/Microsoft.Network/networkSecurityGroups/edge';
const extraObjects = `
apiVersion: network.azure.com/v20201101
kind: VirtualNetworksSubnet
metadata: { name: azo-graph-external, namespace: default }
spec:
  owner: { name: azo-demo-vnet }
  addressPrefix: 10.20.9.0/24
  networkSecurityGroup: { reference: { armId: "${externalNsg}" } }
---
apiVersion: v1
kind: Namespace
metadata: { name: graph-other }
---
apiVersion: storage.azure.com/v20230101
kind: StorageAccount
metadata: { name: azographorphan, namespace: graph-other }
spec: { owner: { name: azo-graph-missing }, location: westeurope, kind: StorageV2, sku: { name: Standard_LRS } }
`;

interface ListedObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string }>;
  };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

function runAzo(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin', 'azo.js'), ...args],
      { cwd: repoRoot, env, maxBuffer: 64 << 20 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`azo ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** The managed objects as kubectl lists them: every CRD of an *.azure.com group, in every namespace. */
async function listObjects(dev: DevProcess): Promise<ListedObject[]> {
  const crds = (await dev.kubectl(['get', 'crd', '-o', 'name']))
    .split('\n')
    .filter((line) => line.endsWith('.azure.com'));
  const names = crds.map((crd) => crd.replace('customresourcedefinition.apiextensions.k8s.io/', '')).join(',');
  return (JSON.parse(await dev.kubectl(['get', names, '-A', '-o', 'json'])) as { items: ListedObject[] }).items;
}

const nodeId = (object: { apiVersion: string; kind: string }, namespace: string, name: string) =>
  `${object.apiVersion.split('/')[0] ?? ''}/${object.kind}/${namespace}/${name}`;

/** DOT statements: node ID → attributes, and edges as `from -> to` with attributes. */
function parseDot(dot: string) {
  const attributes = (text: string) =>
    Object.fromEntries(
      [...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']),
    );
  const nodes = new Map<string, Record<string, string>>();
  const edges: Array<{ from: string; to: string; attributes: Record<string, string> }> = [];
  for (const line of dot.split('\n')) {
    const edge = /^\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$/.exec(line);
    if (edge) edges.push({ from: edge[1] ?? '', to: edge[2] ?? '', attributes: attributes(edge[3] ?? '') });
    const node = /^\s*"([^"]+)" \[(.*)\];$/.exec(line);
    if (node) nodes.set(node[1] ?? '', attributes(node[2] ?? ''));
  }
  return { nodes, edges };
}

test('azo graph: the examples with owners, references and Ready colours, as DOT, SVG and an HTML page', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'azo-graph-e2e-'));
  const dev = await startDev(dataDir, ['--latency', '200']);
  t.after(async () => {
    await dev.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await dev.kubectl(['apply', '-f', join(repoRoot, 'examples')]);
  await dev.kubectl(['apply', '-f', '-'], extraObjects);
  await dev.kubectl([
    'wait',
    '--for=condition=Ready',
    '--timeout=120s',
    'resourcegroup/azo-demo',
    'virtualnetworkssubnet/azo-demo-app',
  ]);
  // Every object has been reconciled at least once (a Ready condition, whichever its status).
  for (let attempt = 0; ; attempt += 1) {
    const objects = await listObjects(dev);
    if (objects.every((object) => object.status?.conditions?.some((condition) => condition.type === 'Ready'))) break;
    assert.ok(attempt < 100, 'every object gets a Ready condition');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const objects = await listObjects(dev);
  const env = { ...process.env, KUBECONFIG: dev.kubeconfig };
  const dot = await runAzo(['graph'], env);
  const graph = parseDot(dot);

  const inDefault = objects.filter((object) => object.metadata.namespace === 'default');
  const colours = new Map<string, string>();
  for (const object of inDefault) {
    const id = nodeId(object, 'default', object.metadata.name);
    const node = graph.nodes.get(id);
    assert.ok(node, `${id} is a node`);
    const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready')?.status ?? 'none';
    assert.equal(node.class, `ready-${ready.toLowerCase()}`, `${id} is drawn as Ready=${ready}`);
    assert.match(node.label ?? '', new RegExp(`Ready=${ready}`));
    const colour = colours.get(ready) ?? node.fillcolor ?? '';
    colours.set(ready, colour);
    assert.equal(node.fillcolor, colour, `every Ready=${ready} node has one colour`);
    for (const owner of object.metadata.ownerReferences ?? []) {
      const to = nodeId(owner, 'default', owner.name);
      assert.ok(
        graph.edges.some((edge) => edge.from === id && edge.to === to && edge.attributes.label === 'owner'),
        `${id} has an owner edge to ${to}, as its ownerReference says`,
      );
    }
  }
  assert.ok(inDefault.length >= 14, `the examples and the extra subnet are listed (${inDefault.length})`);
  assert.equal(new Set(colours.values()).size, colours.size, 'each Ready state has its own colour');
  assert.ok(
    !graph.nodes.has(
      nodeId({ apiVersion: 'storage.azure.com/v1', kind: 'StorageAccount' }, 'graph-other', 'azographorphan'),
    ),
    '-n default (the context default) leaves graph-other out',
  );

  const subnet = 'network.azure.com/VirtualNetworksSubnet/default/azo-demo-app';
  const nsg = 'network.azure.com/NetworkSecurityGroup/default/azo-demo-app-nsg';
  assert.ok(
    graph.edges.some((edge) => edge.from === subnet && edge.to === nsg && edge.attributes.label === 'reference'),
    'the subnet references its network security group by Kubernetes name',
  );
  const external = graph.nodes.get(`arm:${externalNsg.toLowerCase()}`);
  assert.equal(external?.class, 'external', 'an armId reference is an external node');
  assert.ok(
    graph.edges.some(
      (edge) =>
        edge.from.endsWith('/azo-graph-external') &&
        edge.to === `arm:${externalNsg.toLowerCase()}` &&
        edge.attributes.label === 'reference',
    ),
  );

  const all = parseDot(
    await runAzo(['graph', '-A', '--kubeconfig', dev.kubeconfig], { ...process.env, KUBECONFIG: '' }),
  );
  const orphan = 'storage.azure.com/StorageAccount/graph-other/azographorphan';
  const missingOwner = 'resources.azure.com/ResourceGroup/graph-other/azo-graph-missing';
  assert.ok(all.nodes.has(orphan) && all.nodes.has(subnet), '-A shows every namespace');
  assert.equal(all.nodes.get(missingOwner)?.class, 'absent', 'an owner that does not exist is drawn as not found');
  assert.ok(
    all.edges.some((edge) => edge.from === orphan && edge.to === missingOwner && edge.attributes.label === 'owner'),
  );

  const svg = await runAzo(['graph', '-o', 'svg'], env);
  assert.match(svg, /<svg /);
  const drawn = [...svg.matchAll(/<g id="node:([^"]+)" class="node ([^"]+)"/g)].map((match) => ({
    id: (match[1] ?? '').replace(/&#45;/g, '-'),
    class: (match[2] ?? '').replace(/&#45;/g, '-'),
  }));
  assert.deepEqual(
    drawn.map((node) => `${node.id} ${node.class}`).sort(),
    [...graph.nodes].map(([id, node]) => `${id} ${node.class ?? ''}`).sort(),
    'the SVG draws every node of the DOT, with its class',
  );
  assert.equal((svg.match(/<g id="edge\d+" class="edge /g) ?? []).length, graph.edges.length, 'and every edge');

  // --open: an HTML page, its path printed; a configured browser ($BROWSER) gets it, a headless machine does not fail.
  const page = join(dataDir, 'graph.html');
  const headless = await runAzo(['graph', '--open', page], { ...env, BROWSER: '' });
  assert.equal(headless.trim(), page);
  assert.match(readFileSync(page, 'utf8'), /<!doctype html>[\s\S]*<svg [\s\S]*Ready=True/);
  const browser = join(dataDir, 'browser.sh');
  const opened = join(dataDir, 'opened.txt');
  writeFileSync(browser, `#!/bin/sh\necho "$1" > ${opened}\n`);
  chmodSync(browser, 0o755);
  await runAzo(['graph', '--open', page], { ...env, BROWSER: browser });
  for (let attempt = 0; attempt < 50 && !existsSync(opened); attempt += 1)
    await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(readFileSync(opened, 'utf8').trim(), page, '$BROWSER is started with the page');
});
