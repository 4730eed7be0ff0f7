/**
 * Health endpoints of a long-running command, for Kubernetes probes: plain HTTP, `GET /healthz` answers 200 while the
 * process runs (liveness), `GET /readyz` answers 200 only in a ready state (readiness). A standby replica waiting for
 * the leader Lease counts as ready: otherwise a rolling update of a one-replica Deployment would wait forever for a
 * new pod that cannot get the Lease until the old pod is gone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `starting` and `syncing` are not ready; `standby` (waiting for the Lease) and `ready` (informers synced) are. */
export type HealthState = 'starting' | 'standby' | 'syncing' | 'ready' | 'stopping';

const readyStates: ReadonlySet<HealthState> = new Set(['standby', 'ready']);

/** A running health server. */
export interface HealthServer {
  /** The port it listens on (the real one when started with port 0). */
  port: number;
  state(): HealthState;
  setState(state: HealthState): void;
  close(): Promise<void>;
}

/** Listens on `host` (default: every interface, so the kubelet can reach it on the pod IP) and `port` (0: any free). */
export async function startHealthServer(options: { port: number; host?: string }): Promise<HealthServer> {
  let current: HealthState = 'starting';
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      response.writeHead(readyStates.has(current) ? 200 : 503, { 'content-type': 'text/plain' }).end(`${current}\n`);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: use /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    state: () => current,
    setState: (state) => {
      current = state;
    },
    close: () => new Promise<void>((resolve) => {
      current = 'stopping';
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Parses a `--health-port` value: an integer 0–65535. */
export function parseHealthPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new Error(`--health-port must be a port number (0-65535), not ${JSON.stringify(text)}`);
  return port;
}
