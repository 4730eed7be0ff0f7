import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { initialState } from '../pipeline.js';
import { testAsoConfig, testConfigText, testIndex, testTypes } from '../testing/fixtures.js';
import { lookupIndex, readInputs } from './read-inputs.js';

test('read-inputs reads the config, the index, the needed type files and the ASO config', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'azo-codegen-'));
  try {
    await writeFile(join(dir, 'codegen.config.yaml'), testConfigText);
    await mkdir(join(dir, 'types/test/microsoft.test/2024-01-01'), { recursive: true });
    await writeFile(join(dir, 'types/INDEX.json'), JSON.stringify(testIndex));
    await writeFile(join(dir, 'types/test/microsoft.test/2024-01-01/types.json'), JSON.stringify(testTypes));
    await writeFile(join(dir, 'aso.yaml'), stringify(testAsoConfig));
    const state = await readInputs.run(
      initialState({ repoRoot: dir, configPath: 'codegen.config.yaml', outDir: 'out' }),
    );
    assert.equal(state.config.kinds.length, 4);
    assert.deepEqual(state.config.kinds.find((kind) => kind.kind === 'Lock')?.override?.hooks, ['lockHook']);
    assert.deepEqual(Object.keys(state.typeFiles), ['test/microsoft.test/2024-01-01/types.json']);
    assert.ok((state.asoConfig.objectModelConfiguration as Record<string, unknown>).test);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('lookupIndex ignores the casing of ARM types', () => {
  assert.deepEqual(lookupIndex(testIndex, 'microsoft.test/WIDGETS'), testIndex['Microsoft.Test/widgets']);
  assert.equal(lookupIndex(testIndex, 'Microsoft.Test/none'), undefined);
  const twoSpellings = {
    'Microsoft.X/aB': { '2020-01-01': 'old.json' },
    'Microsoft.X/Ab': { '2024-01-01': 'new.json' },
  };
  assert.deepEqual(lookupIndex(twoSpellings, 'microsoft.x/ab'), { '2020-01-01': 'old.json', '2024-01-01': 'new.json' });
});
