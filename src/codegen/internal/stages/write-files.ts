/** Stage 13 (the only one that writes): writes the output files and removes stale generated ones. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { GeneratorState, Stage } from '../state.js';

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? listFiles(path) : [path];
    }),
  );
  return nested.flat();
}

/** The stage itself (see the file comment); pure apart from what its description says. */
export const writeFiles: Stage = {
  id: 'write-files',
  description: 'write generated files',
  summarize: (state) =>
    `${Object.keys(state.files).length} files${state.options.dryRun ? ' (dry run: nothing written)' : ''}`,
  async run(state: GeneratorState): Promise<GeneratorState> {
    if (state.options.dryRun) return state;
    const outDir = isAbsolute(state.options.outDir)
      ? state.options.outDir
      : resolve(state.options.repoRoot, state.options.outDir);
    const wanted = new Set(Object.keys(state.files));
    for (const sub of ['model', 'crds', 'types']) {
      for (const path of await listFiles(join(outDir, sub))) {
        if (!wanted.has(relative(outDir, path).split('\\').join('/'))) await rm(path);
      }
    }
    for (const [path, text] of Object.entries(state.files)) {
      const target = join(outDir, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
    return state;
  },
};
