/** docs/kinds.md is generated from the model: regenerating it gives no diff, and it lists every kind and version. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { kindsDocPath, renderKindsDoc } from '../../scripts/render-kinds-doc.js';
import { listKindKeys } from '../../src/model/index.js';

test('docs/kinds.md is current (npm run generate) and has a row per kind', async () => {
  const text = await renderKindsDoc();
  assert.ok(
    readFileSync(kindsDocPath, 'utf8') === text,
    'docs/kinds.md differs from a fresh rendering: run npm run generate',
  );
  const rows = text.split('\n').filter((line) => /^\| [a-z.]+ \| \w+ \| \*\*v/.test(line));
  assert.equal(rows.length, listKindKeys().length);
  assert.ok(
    rows.some(
      (line) =>
        line.startsWith('| keyvault | Vault |') && line.includes('src/operator/extensions/keyvault.azure.com/Vault.ts'),
    ),
  );
});
