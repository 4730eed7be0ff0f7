/** `azo apiserver`: runs the embedded Kubernetes-compatible API server alone until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { destination, pino } from 'pino';
import { startApiServer } from '../../kube/index.js';
import { convertBySchema } from '../../model/index.js';
import { catchStopSignals } from '../internal/signals.js';
import { parsePortFlag } from '../internal/user-error.js';

interface ApiServerFlags {
  port: string;
  host: string;
  kubeconfig?: string;
  dataDir?: string;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('apiserver')
    .description(
      'Run the embedded Kubernetes-compatible API server (HTTPS, bearer token) and write a kubeconfig for it.',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', '6443')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--kubeconfig <file>', 'write a kubeconfig for this server to this file')
    .option(
      '--data-dir <dir>',
      'keep objects, the CA and the token here so they survive restarts (default: memory only)',
    )
    .option('--log-level <level>', 'pino log level (fatal, error, warn, info, debug)', 'warn')
    .action(async (flags: ApiServerFlags) => {
      const port = parsePortFlag(flags.port, '--port');
      const signals = catchStopSignals();
      const logger = pino({ level: flags.logLevel }, destination(2));
      const kubeconfigPath = flags.kubeconfig ? resolve(flags.kubeconfig) : undefined;
      const server = await startApiServer({
        port,
        host: flags.host,
        ...(flags.dataDir ? { dataDir: resolve(flags.dataDir) } : {}),
        ...(kubeconfigPath ? { kubeconfigPath } : {}),
        logger,
        convert: convertBySchema,
      });
      const stopped = signals.stopWith(() => server.close());
      console.log(`azo apiserver listening on ${server.url}`);
      if (kubeconfigPath) console.log(`kubeconfig: ${kubeconfigPath}  (export KUBECONFIG=${kubeconfigPath})`);
      else console.log('no --kubeconfig given: pass --kubeconfig FILE to write one');
      if (flags.dataDir) console.log(`data dir: ${resolve(flags.dataDir)}`);
      await stopped;
    });
}
