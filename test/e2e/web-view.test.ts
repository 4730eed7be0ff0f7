// The web view of `azo dev`, in a real browser: `azo dev` in its own process, every example applied with the real
// kubectl, and Debian's Chromium (installed by scripts/install-test-deps.sh) driven headless by playwright-core. The
// page must show every example Ready, the emulator's request log (filtered, matching the emulator's own log), the
// graph, and one object's spec, ARM body and Azure state side by side. A screenshot is kept in test-results/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { chromium } from 'playwright-core';
import { repoRoot } from './kube-helpers.js';
import { startDev } from './dev-helpers.js';

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
    const dataDir = mkdtempSync(join(tmpdir(), 'azo-web-view-e2e-'));
    const dev = await startDev(dataDir, ['--latency', '200', '--ui-port', '0']);
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
    t.after(async () => {
      await browser.close();
      await dev.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
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
