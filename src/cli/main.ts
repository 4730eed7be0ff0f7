/**
 * The `azo` command: parses arguments and wires the modules together. Only this module prints to the terminal.
 * Each sub-command lives in `commands/<name>.ts` and exports a `register(program)` function.
 */
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, realpathSync } from 'node:fs';

type CommandRegistration = (program: Command) => void;

/** Sub-commands, in the order `azo --help` lists them. */
const registrations: Array<{ name: string; load: () => Promise<{ register: CommandRegistration }> }> = [
  { name: 'dev', load: () => import('./commands/dev.js') },
  { name: 'apiserver', load: () => import('./commands/apiserver.js') },
  { name: 'generate', load: () => import('./commands/generate.js') },
  { name: 'crds', load: () => import('./commands/crds.js') },
  { name: 'emulator', load: () => import('./commands/emulator.js') },
  { name: 'operator', load: () => import('./commands/operator.js') },
];

/**
 * Runs the CLI with `argv` (as in `process.argv`). Exits non-zero with a message on a usage error. Only the module of
 * the sub-command being run is loaded (each pulls in its own part of azo: a long-running `azo operator` should not
 * hold the API server's and the emulator's code); `--help`, `--version` and unknown commands load them all.
 */
export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('azo')
    .description('Azure resources as Kubernetes objects: an ASO v2-compatible operator, with local stand-ins for Kubernetes and ARM.')
    .version(readPackageVersion())
    .showHelpAfterError();
  const invoked = registrations.find((registration) => registration.name === argv[2]);
  for (const registration of invoked !== undefined ? [invoked] : registrations) {
    (await registration.load()).register(program);
  }
  await program.parseAsync(argv);
}

/** The version in package.json, found by walking up from this file (it runs from src/ and from dist/src/). */
function readPackageVersion(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const candidate = fileURLToPath(new URL('package.json', dir));
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

/** True when node runs this file itself (also through a symlinked path, as from a linked node_modules). */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (script === undefined || !existsSync(script)) return false;
  return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
}

if (invokedDirectly()) {
  await main(process.argv);
}
