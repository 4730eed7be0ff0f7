/**
 * Errors the user can fix, and how the CLI reports every error: one line naming the problem and the fix, exit code 2
 * for what the user can fix (a bad flag value, a data directory in use, a port taken, no kubeconfig) and 1 for the
 * rest; the stack trace only with `--verbose`. Commander's own usage errors exit 2 as well.
 */
import { createServer } from 'node:net';

/** Exit code of a usage or environment error the user can fix. */
export const userErrorExitCode = 2;

/** A problem the user can fix; `message` says what is wrong and how to fix it, on one line. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Type guard for `UserError`. */
export function isUserError(value: unknown): value is UserError {
  return value instanceof UserError;
}

/**
 * The one-line report of an error and its exit code. A port in use (EADDRINUSE) and a missing file (ENOENT, e.g. a
 * kubeconfig or CA file) are the user's to fix even when they surface from deep inside a library.
 */
export function describeError(error: unknown): { line: string; exitCode: number } {
  if (isUserError(error)) return { line: `error: ${error.message}`, exitCode: userErrorExitCode };
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'EADDRINUSE') {
    const { address, port } = error as { address?: string; port?: number };
    const where = port === undefined ? 'the address' : `${address ?? ''}:${port}`;
    return {
      line:
        `error: ${where} is already in use by another process; stop it, or choose another port (0 picks any ` +
        `free one)`,
      exitCode: userErrorExitCode,
    };
  }
  if (code === 'ENOENT' || code === 'EACCES') {
    const { path } = error as { path?: string };
    const what = code === 'ENOENT' ? 'no such file or directory' : 'permission denied';
    return { line: `error: ${path ?? 'a file'}: ${what}; check the path you gave`, exitCode: userErrorExitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `error: ${firstLine(message)} (run with --verbose for details)`, exitCode: 1 };
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** Parses a port flag: an integer 0–65535 (0: any free port), or a `UserError` naming the flag. */
export function parsePortFlag(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UserError(
      `${flag} must be a port number between 0 and 65535 (0: any free one), not ${JSON.stringify(value)}`,
    );
  }
  return port;
}

/** true when nothing listens on `host:port` now (a later bind may still lose a race). */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
