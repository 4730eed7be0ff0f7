// Every shell command in README.md and docs/*.md runs here, as written, the way a reader runs it: from a folder
// where `npx azo` is this checkout, against the `azo dev` that the README's main command starts there. See
// docs-blocks.ts for the block modes. A block fails the test with its file, line and output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './kube-helpers.js';
import { allShellBlocks, type ShellBlock } from './docs-blocks.js';

const blocks = allShellBlocks(repoRoot);
/** What a long-running block prints once its last command is up. */
function readyLine(script: string): RegExp {
  const last =
    script
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .at(-1) ?? '';
  if (/\bazo operator\b/.test(last)) return /azo operator running/;
  if (/\bazo dev\b/.test(last)) return /Press Ctrl-C to stop/;
  return /listening on/;
}

/** A folder like a user's checkout: examples/ and deploy/ at hand, `azo`/`npx azo` resolving to this build. */
function makeWorkspace(): string {
  const workspace = mkdtempSync(join(tmpdir(), 'azo-docs-'));
  writeFileSync(join(workspace, 'package.json'), '{ "name": "azo-docs-workspace", "private": true }\n');
  mkdirSync(join(workspace, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(join(repoRoot, 'bin', 'azo.js'), join(workspace, 'node_modules', '.bin', 'azo'));
  for (const folder of ['examples', 'deploy', 'generated'])
    symlinkSync(join(repoRoot, folder), join(workspace, folder));
  return workspace;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startBash(script: string, workspace: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn('bash', ['-eo', 'pipefail', '-c', script], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? null : 128))),
  );
  return { child, output: () => text, exited };
}

async function waitForOutput(started: Started, pattern: RegExp, what: string): Promise<void> {
  for (let attempt = 0; attempt < 1200; attempt += 1) {
    if (pattern.test(started.output())) return;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not say it was up (${String(pattern)}):\n${started.output().slice(-3000)}`);
}

/** Ctrl-C to the whole process group, as a terminal does; resolves with the exit code of bash. */
async function interrupt(started: Started): Promise<number | null> {
  if (started.child.exitCode === null && started.child.pid !== undefined) process.kill(-started.child.pid, 'SIGINT');
  return started.exited;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd: repoRoot }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

/** Ends whatever a block left running in the background (a failed block never reaches its own `kill`). */
function reapGroup(started: Started): void {
  if (started.child.pid === undefined) return;
  try {
    process.kill(-started.child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

function where(block: ShellBlock): string {
  return `${block.file}:${block.line}`;
}

test('the README has the two fresh-machine commands, and CI runs the test one', () => {
  const setup = blocks.filter((block) => block.mode === 'setup');
  assert.deepEqual(
    setup.map((block) => block.script.trim()),
    ['npm ci && npx azo dev', 'npm ci && npm test'],
  );
  assert.ok(
    setup.every((block) => block.file === 'README.md'),
    'setup blocks belong to the README',
  );
  const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  assert.deepEqual(ci.slice(-2), ['npm ci', 'npm test'], '.ci/run ends with the README test command');
});

/** The package.json scripts documented in `sh checkout` blocks, and the test that exercises each. */
const scriptTests: Record<string, string> = {
  test: '.ci/run',
  generate: 'test/integration/codegen-output.test.ts',
  bench: 'test/e2e/bench-smoke.test.ts',
  soak: 'test/soak/soak.test.ts',
  lint: 'npm test',
  typecheck: 'npm test',
  build: 'npm test',
  'generate:deploy': 'test/e2e/deploy.test.ts',
};

test('contributor commands in the docs name real npm scripts, each exercised by a test', () => {
  const scripts = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  for (const block of blocks.filter((candidate) => candidate.mode === 'checkout')) {
    for (const line of block.script
      .split('\n')
      .map((text) => text.replace(/#.*$/, '').trim())
      .filter((text) => text !== '')) {
      const match = /^npm (?:ci$|test$|run ([\w:-]+))/.exec(line);
      assert.ok(match, `${where(block)}: ${JSON.stringify(line)} is not an npm command of this checkout`);
      const script = match[1] ?? (line === 'npm test' ? 'test' : undefined);
      if (script === undefined) continue;
      assert.ok(scripts[script] !== undefined, `${where(block)}: package.json has no script ${script}`);
      assert.ok(scriptTests[script] !== undefined, `${where(block)}: say which test exercises npm run ${script}`);
    }
  }
});

test('docs/settings.md lists every flag of every command, and every environment variable the code reads', async () => {
  const settings = readFileSync(join(repoRoot, 'docs', 'settings.md'), 'utf8');
  const sections = new Map(
    settings
      .split(/^## /m)
      .slice(1)
      .map((section) => [/^`azo ([\w -]+)`/.exec(section)?.[1] ?? '', section]),
  );
  for (const command of [
    'dev',
    'apiserver',
    'emulator',
    'operator',
    'crds',
    'generate',
    'export template',
    'what-if',
    'import azure-resource',
    'graph',
  ]) {
    const help = await run(process.execPath, [join(repoRoot, 'bin', 'azo.js'), ...command.split(' '), '--help']);
    const flags = [...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)]
      .map((match) => match[1] ?? '')
      .filter((flag) => flag !== '--help');
    const section = sections.get(command);
    assert.ok(section, `docs/settings.md has a section for azo ${command}`);
    for (const flag of flags)
      assert.ok(section.includes(`\`${flag}`), `docs/settings.md, azo ${command}: ${flag} is not documented`);
  }
  const sources = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'src'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && existsSync(join(repoRoot, file)));
  const variables = new Set<string>();
  for (const file of sources) {
    for (const match of readFileSync(join(repoRoot, file), 'utf8').matchAll(
      /env\[['"]([A-Z][A-Z0-9_]+)['"]\]|nonEmpty\('([A-Z][A-Z0-9_]+)'\)/g,
    ))
      variables.add(match[1] ?? match[2] ?? '');
  }
  assert.ok(variables.size >= 10, `found the environment variables the code reads (${[...variables].join(', ')})`);
  for (const variable of variables)
    assert.ok(settings.includes(`\`${variable}\``), `docs/settings.md does not document ${variable}`);
});

test('every shell command in README.md and docs/ runs as written', { timeout: 540_000 }, async (t) => {
  const workspace = makeWorkspace();
  t.after(() => rmSync(workspace, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(workspace, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}`,
  };
  for (const key of [
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_TENANT_ID',
    'AZURE_CLIENT_ID',
    'AZURE_CLIENT_SECRET',
    'NODE_EXTRA_CA_CERTS',
  ])
    delete env[key];
  // A reader who followed the README has exported azo dev's kubeconfig; pages about a real cluster assume theirs.
  env['KUBECONFIG'] = join(workspace, '.azo', 'kubeconfig');

  // The README's main command, without its `npm ci &&` (the test suite already runs on an installed checkout).
  const main = blocks.find((block) => block.mode === 'setup');
  assert.ok(main, 'the README has a setup block');
  const devCommand = main.script.trim().replace(/^npm ci && /, '');
  // Shorter long-running operations than the default 1 s keep the run brisk; everything else is as the reader runs it.
  const dev = startBash(`${devCommand} --no-table --latency 300`, workspace, env);
  try {
    await waitForOutput(dev, /Press Ctrl-C to stop/, devCommand);
    for (const block of blocks) {
      if (block.mode === 'setup' || block.mode === 'checkout') continue;
      await t.test(`${where(block)} (${block.mode})`, async () => {
        const started = startBash(block.script, workspace, env);
        if (block.mode === 'long-running') {
          await waitForOutput(started, readyLine(block.script), where(block));
          // Through npx, npm passes Ctrl-C on and then dies of it itself: then azo's own words must say it stopped.
          const code = await interrupt(started);
          reapGroup(started);
          assert.ok(
            code === 0 || (/\bnpx azo\b/.test(block.script) && /received SIGINT, stopping/.test(started.output())),
            `${where(block)} stops cleanly on Ctrl-C (exit ${code}):\n${started.output().slice(-2000)}`,
          );
          return;
        }
        const timer = setTimeout(() => void interrupt(started), 240_000);
        const code = await started.exited;
        clearTimeout(timer);
        reapGroup(started);
        assert.equal(
          code,
          0,
          `${where(block)} failed (exit ${code}):\n${block.script}\n--- output ---\n` +
            `${started.output().slice(-4000)}\n--- azo dev ---\n${dev.output().slice(-2000)}`,
        );
      });
    }
  } finally {
    // npm exec (npx) passes Ctrl-C on and then dies of it itself; what counts is that azo dev stopped cleanly.
    const code = await interrupt(dev);
    assert.ok(
      code === 0 || /stopped; state kept in /.test(dev.output()),
      `azo dev stops cleanly on Ctrl-C (exit ${code}):\n${dev.output().slice(-2000)}`,
    );
  }
});
