/** `azo crds --pattern` prints the selected CRDs as a YAML stream (ASO's crdPattern syntax). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { matchesCrdPattern } from '../../src/codegen/index.js';

const run = promisify(execFile);
const repoRoot = resolve(new URL('../..', import.meta.url).pathname);

test('azo crds --pattern selects by group/kind with wildcards', async () => {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'crds',
      '--pattern',
      'storage.azure.com/*;resources.azure.com/ResourceGroup',
    ],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const crds = parseAllDocuments(stdout).map(
    (document) => document.toJS() as { kind: string; metadata: { name: string }; spec: { group: string } },
  );
  assert.equal(crds.length, 11);
  assert.ok(crds.every((crd) => crd.kind === 'CustomResourceDefinition'));
  assert.ok(crds.some((crd) => crd.metadata.name === 'resourcegroups.resources.azure.com'));
  assert.equal(crds.filter((crd) => crd.spec.group === 'storage.azure.com').length, 10);
  const committed = readFileSync(resolve(repoRoot, 'generated/crds/resourcegroups.resources.azure.com.yaml'), 'utf8');
  assert.ok(stdout.split(/^---\n/m).includes(committed), 'azo crds prints the committed CRD');
});

test('azo crds with a pattern that matches nothing fails', async () => {
  await assert.rejects(
    run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'crds', '--pattern', 'nothing.azure.com/*'], {
      cwd: repoRoot,
    }),
    /no kind matches/,
  );
});

test('crdPattern matching', () => {
  assert.ok(matchesCrdPattern(undefined, 'storage.azure.com', 'StorageAccount'));
  assert.ok(matchesCrdPattern('storage.azure.com/*', 'storage.azure.com', 'StorageAccount'));
  assert.ok(matchesCrdPattern('*.azure.com/Storage*', 'storage.azure.com', 'StorageAccount'));
  assert.ok(matchesCrdPattern(' resources.azure.com/resourcegroup ; x/y', 'resources.azure.com', 'ResourceGroup'));
  assert.ok(!matchesCrdPattern('storage.azure.com/Foo', 'storage.azure.com', 'StorageAccount'));
  assert.ok(!matchesCrdPattern('network.azure.com/*', 'storage.azure.com', 'StorageAccount'));
});

test('azo generate reads the type definitions from --azure-types and names a missing input', async () => {
  await assert.rejects(
    run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'generate', '--dry-run', '--azure-types', '/nonexistent/azure-types'],
      { cwd: repoRoot },
    ),
    (error: { stderr?: string }) => /\/nonexistent\/azure-types\/INDEX\.json/.test(error.stderr ?? ''),
  );
});
