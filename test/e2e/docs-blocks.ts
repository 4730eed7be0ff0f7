// The shell blocks of README.md and docs/*.md, as docs.test.ts runs them. A block's info string says how:
//   ```sh               run with bash (errexit, pipefail) against the `azo dev` the test started; must exit 0
//   ```sh long-running  a command that serves until Ctrl-C: started, must say it is up, then stopped with SIGINT
//   ```sh setup         the README's fresh-machine commands (`npm ci && …`), checked against .ci/run and used to start
// azo dev
//   ```sh checkout      contributor commands in a checkout (`npm run generate`, `npm run bench`): each must name a
//                       package.json script, and that script is exercised by a test of its own (see docs.test.ts)
// Any other language (yaml, text, ts) is not a command.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced shell block. */
export interface ShellBlock {
  file: string;
  line: number;
  mode: 'run' | 'long-running' | 'setup' | 'checkout';
  script: string;
}

const fence = /^```(\S*)[ \t]*(.*)$/;

/** The shell blocks of one Markdown text, in order. Unknown `sh` modes are an error (a typo must not skip a block). */
export function shellBlocks(file: string, text: string): ShellBlock[] {
  const blocks: ShellBlock[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const open = fence.exec(lines[index] ?? '');
    if (open === null) continue;
    const start = index;
    const body: string[] = [];
    for (index += 1; index < lines.length && !(lines[index] ?? '').startsWith('```'); index += 1)
      body.push(lines[index] ?? '');
    if (index >= lines.length) throw new Error(`${file}:${start + 1}: unclosed code fence`);
    const language = open[1] ?? '';
    if (!['sh', 'bash', 'shell', 'console'].includes(language)) continue;
    if (language !== 'sh')
      throw new Error(`${file}:${start + 1}: write shell blocks as \`\`\`sh (with an optional mode), not ${language}`);
    const modeText = (open[2] ?? '').trim();
    const mode = modeText === '' ? 'run' : modeText;
    if (mode !== 'run' && mode !== 'long-running' && mode !== 'setup' && mode !== 'checkout')
      throw new Error(`${file}:${start + 1}: unknown sh block mode ${JSON.stringify(modeText)}`);
    blocks.push({ file, line: start + 1, mode, script: body.join('\n') });
  }
  return blocks;
}

/** README.md first, then docs/*.md in name order. */
export function documentationFiles(repoRoot: string): string[] {
  const docs = readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join('docs', name));
  return ['README.md', ...docs];
}

/** Every shell block of the documentation. */
export function allShellBlocks(repoRoot: string): ShellBlock[] {
  return documentationFiles(repoRoot).flatMap((file) => shellBlocks(file, readFileSync(join(repoRoot, file), 'utf8')));
}
