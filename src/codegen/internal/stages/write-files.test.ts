import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initialState } from '../pipeline.js';
import { writeFiles } from './write-files.js';

test('writes the files, removes stale generated files, and writes nothing on a dry run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'azo-write-'));
  try {
    await mkdir(join(dir, 'out/crds'), { recursive: true });
    await writeFile(join(dir, 'out/crds/stale.yaml'), 'old');
    const state = {
      ...initialState({ repoRoot: dir, configPath: 'c.yaml', outDir: 'out' }),
      files: { 'crds/a.yaml': 'a', 'model/x/A.ts': 'm' },
    };
    await writeFiles.run({ ...state, options: { ...state.options, dryRun: true } });
    assert.equal(await readFile(join(dir, 'out/crds/stale.yaml'), 'utf8'), 'old');
    await writeFiles.run(state);
    assert.equal(await readFile(join(dir, 'out/crds/a.yaml'), 'utf8'), 'a');
    assert.equal(await readFile(join(dir, 'out/model/x/A.ts'), 'utf8'), 'm');
    await assert.rejects(access(join(dir, 'out/crds/stale.yaml')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
