// `azo dev`'s views, against one `azo dev` (in its own process, every example applied with the real kubectl):
// - the web view in a real browser: Debian's Chromium (installed by scripts/install-test-deps.sh) driven headless by
//   playwright-core. The page must show every example Ready, the emulator's request log (filtered, matching the
//   emulator's own log), the graph, and one object's spec, ARM body and Azure state side by side. A screenshot is kept
//   in test-results/.
// - `azo graph`: the examples plus an object referencing an Azure resource by ARM ID and one in another namespace
//   whose owner does not exist, through the kubeconfig, as DOT, SVG and an HTML page. What the graph must show is read
//   from Kubernetes (each object's Ready condition and the ownerReferences the operator set), not written here.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { chromium } from 'playwright-core';
import { repoRoot } from './kube-helpers.js';
import { startDev, type DevProcess } from './dev-helpers.js';

/** The one `azo dev` of this file, started by the first test that needs it. */
let started: Promise<{ dev: DevProcess; dataDir: string }> | undefined;
function shared(): Promise<{ dev: DevProcess; dataDir: string }> {
  started ??= (async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'azo-dev-views-e2e-'));
    return { dev: await startDev(dataDir, ['--latency', '200', '--ui-port', '0']), dataDir };
  })();
  return started;
}
after(async () => {
  if (started === undefined) return;
  const { dev, dataDir } = await started;
  await dev.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const browserPath = process.env['CHROMIUM'] ?? '/usr/bin/chromium';
const examplesDir = join(repoRoot, 'examples');
const examples = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(examplesDir, file), 'utf8')).map(
      (document) => document.toJS() as { apiVersion: string; kind: string; metadata: { name: string } },
    ),
  )
  .filter((object) => object.apiVersion.split('/')[0]?.endsWith('.azure.com'));

/** The page's key of an object: `group/Kind/namespace/name`. */
const keyOf = (object: { apiVersion: string; kind: string; metadata: { name: string } }) =>
  `${object.apiVersion.split('/')[0] ?? ''}/${object.kind}/default/${object.metadata.name}`;

test(
  'azo dev web view: every example Ready, the request log, the graph and spec → ARM body → Azure side by side',
  {
    skip: existsSync(browserPath)
      ? false
      : `no browser at ${browserPath} (scripts/install-test-deps.sh installs it as root)`,
  },
  async (t) => {
    const { dev } = await shared();
    const browser = await chromium.launch({
      executablePath: browserPath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    t.after(() => browser.close());
    const url = (await dev.waitFor(/web view {6}(http:\/\/\S+)/, 'the web view URL'))[1] ?? '';
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the web view listens on 127.0.0.1 only');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    await page.goto(url);
    await dev.kubectl(['apply', '-f', examplesDir]);

    // Every example shows up, Ready=True, in the live table (the page polls; nothing reloads it).
    const rows = page.locator('#objects tbody tr');
    await page.waitForFunction(
      `document.querySelectorAll('#objects tbody tr[data-ready="True"]').length === ${examples.length}`,
      undefined,
      { timeout: 120_000 },
    );
    assert.equal(await rows.count(), examples.length);
    for (const example of examples) {
      const row = page.locator(`#objects tbody tr[data-key="${keyOf(example)}"]`);
      assert.equal(await row.locator('td').first().textContent(), example.kind);
      assert.equal(await row.locator('td.ready').textContent(), 'True');
    }

    // The graph: one node per object, coloured as Ready.
    await page.waitForFunction(`document.querySelectorAll('#graph g.node.ready-true').length === ${examples.length}`);

    // The request log, filtered to PUTs, holds what the emulator logged.
    const emulatorPuts = (await dev.armLog()).filter((entry) => entry.method === 'PUT');
    assert.ok(emulatorPuts.length >= examples.length - 1, 'the emulator logged the creations');
    await page.selectOption('#method-filter', 'PUT');
    await page.fill('#text-filter', 'storageAccounts');
    const expected = emulatorPuts.filter((entry) => entry.path.toLowerCase().includes('storageaccounts'));
    await page.waitForFunction(`document.querySelectorAll('#requests tbody tr').length === ${expected.length}`);
    const shown = await page.locator('#requests tbody tr td.path').allTextContents();
    assert.deepEqual(
      shown.sort(),
      expected.map((entry) => entry.path).sort(),
      'the filtered log is the PUTs to storage',
    );
    assert.deepEqual(
      [...new Set(await page.locator('#requests tbody tr td.method').allTextContents())],
      ['PUT'],
      'only PUTs are shown',
    );
    await page.fill('#text-filter', '');
    await page.selectOption('#method-filter', '');
    const numbers = await page.locator('#requests tbody tr td:first-child').allTextContents();
    assert.ok(numbers.length >= emulatorPuts.length, 'unfiltered, the log shows more than the PUTs');
    assert.equal(new Set(numbers).size, numbers.length, 'each logged request is shown once');

    // One object side by side: spec, the ARM body the operator sends, Azure's state.
    const account = examples.find((object) => object.kind === 'StorageAccount');
    assert.ok(account, 'the examples hold a storage account');
    const observed = JSON.parse(await dev.kubectl(['get', 'storageaccount', account.metadata.name, '-o', 'json'])) as {
      spec: { location: string };
      metadata: { annotations: Record<string, string> };
    };
    await page.locator(`#objects tbody tr[data-key="${keyOf(account)}"]`).click();
    await page.waitForFunction(`document.getElementById('detail-section').dataset.loaded === '${keyOf(account)}'`);
    const spec = JSON.parse((await page.locator('#spec').textContent()) ?? '') as Record<string, unknown>;
    const armBody = JSON.parse((await page.locator('#arm-body').textContent()) ?? '') as Record<string, unknown>;
    const azure = JSON.parse((await page.locator('#azure').textContent()) ?? '') as Record<string, unknown>;
    assert.deepEqual(spec, observed.spec, 'the spec as Kubernetes stores it');
    assert.equal(armBody['location'], observed.spec.location);
    assert.ok(typeof armBody['properties'] === 'object', "the ARM body has ARM's properties envelope");
    assert.equal(armBody['owner'], undefined, 'the ARM body has no Kubernetes-only fields');
    assert.equal(azure['id'], observed.metadata.annotations['serviceoperator.azure.com/resource-id']);
    assert.equal((azure['properties'] as { provisioningState?: string }).provisioningState, 'Succeeded');

    mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-results', 'web-view.png'), fullPage: true });
  },
);

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

/**
 * The managed objects as kubectl lists them, in every namespace, of the kinds this file applies (the examples' and
 * the extra objects'): one kubectl get over all 273 kinds takes kubectl most of a minute.
 */
let listedCrds: Promise<string[]> | undefined;
async function listObjects(dev: DevProcess): Promise<ListedObject[]> {
  listedCrds ??= crdsOfApplied(dev);
  const names = await listedCrds;
  return (JSON.parse(await dev.kubectl(['get', names.join(','), '-A', '-o', 'json'])) as { items: ListedObject[] })
    .items;
}

/** The CRD names of the kinds this file applies. */
async function crdsOfApplied(dev: DevProcess): Promise<string[]> {
  const applied = new Set(
    [...examples, ...parseAllDocuments(extraObjects).map((document) => document.toJS() as ListedObject)].map(
      (object) => `${object.apiVersion.split('/')[0] ?? ''}/${object.kind}`,
    ),
  );
  const columns = 'custom-columns=NAME:.metadata.name,GROUP:.spec.group,KIND:.spec.names.kind';
  return (await dev.kubectl(['get', 'crd', '--no-headers', '-o', columns]))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, kind]) => applied.has(`${group ?? ''}/${kind ?? ''}`))
    .map(([name]) => name ?? '');
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

test('azo graph: the examples with owners, references and Ready colours, as DOT, SVG and an HTML page', async () => {
  const { dev, dataDir } = await shared();
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
