/**
 * The `azo` command: parses arguments and wires the modules together. Only this module prints to the terminal.
 * Each sub-command lives in `commands/<name>.ts` and exports a `register(program)` function.
 */
import { Command, CommanderError } from 'commander';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { describeError, userErrorExitCode } from './internal/user-error.js';

type CommandRegistration = (program: Command) => void;

/** Sub-commands, in the order `azo --help` lists them. */
const registrations: Array<{ name: string; load: () => Promise<{ register: CommandRegistration }> }> = [
  { name: 'dev', load: () => import('./commands/dev.js') },
  { name: 'apiserver', load: () => import('./commands/apiserver.js') },
  { name: 'generate', load: () => import('./commands/generate.js') },
  { name: 'crds', load: () => import('./commands/crds.js') },
  { name: 'emulator', load: () => import('./commands/emulator.js') },
  { name: 'operator', load: () => import('./commands/operator.js') },
  { name: 'graph', load: () => import('./commands/graph.js') },
  { name: 'export', load: () => import('./commands/export.js') },
  { name: 'what-if', load: () => import('./commands/what-if.js') },
  { name: 'import', load: () => import('./commands/import.js') },
];

/**
 * Runs the CLI with `argv` (as in `process.argv`). Only the module of the sub-command being run is loaded (each pulls
 * in its own part of azo: a long-running `azo operator` should not hold the API server's and the emulator's code);
 * `--help`, `--version` and unknown commands load them all. An error ends the process with one line on stderr and
 * exit code 2 when the user can fix it (a usage error, a bad flag value, a port in use, a missing file), 1 otherwise;
 * `--verbose`, anywhere on the line, adds the stack trace.
 */
export async function main(argv: string[]): Promise<void> {
  const [node = 'node', script = 'azo', ...rest] = argv;
  const verbose = rest.includes('--verbose');
  const args = rest.filter((arg) => arg !== '--verbose');
  const program = new Command()
    .name('azo')
    .description(
      'Azure resources as Kubernetes objects: an ASO v2-compatible operator, with local stand-ins for Kubernetes ' +
        'and ARM.',
    )
    .version(readPackageVersion())
    // Options after a sub-command are the sub-command's (`azo export template --version 1.2.3`).
    .enablePositionalOptions()
    .option('--verbose', 'print the stack trace of an error (accepted anywhere on the command line)')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  const invoked = registrations.find((registration) => registration.name === args[0]);
  for (const registration of invoked !== undefined ? [invoked] : registrations) {
    (await registration.load()).register(program);
  }
  for (const command of program.commands) command.exitOverride().showHelpAfterError(`(add --help for usage)`);
  try {
    await program.parseAsync([node, script, ...args]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (and the hint); --help and --version end here with 0.
      exit(error.exitCode === 0 ? 0 : userErrorExitCode);
    }
    const { line, exitCode } = describeError(error);
    console.error(line);
    if (verbose && error instanceof Error && error.stack !== undefined) console.error(error.stack);
    exit(exitCode);
  }
}

/** Ends the process now: a failed start may leave servers or timers behind that would keep it alive. */
function exit(code: number): never {
  process.exit(code);
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
