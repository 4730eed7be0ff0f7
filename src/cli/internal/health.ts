/**
 * Health endpoints of a long-running command, for Kubernetes probes: plain HTTP, `GET /healthz` answers 200 while the
 * process runs (liveness), `GET /readyz` answers 200 only in a ready state (readiness). A standby replica waiting for
 * the leader Lease counts as ready: otherwise a rolling update of a one-replica Deployment would wait forever for a
 * new pod that cannot get the Lease until the old pod is gone.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePortFlag, UserError } from './user-error.js';

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
  const server = await serveEndpoints(options, {
    '/healthz': () => ({ status: 200, body: 'ok\n' }),
    '/readyz': () => ({ status: readyStates.has(current) ? 200 : 503, body: `${current}\n` }),
  });
  return {
    port: server.port,
    state: () => current,
    setState: (state) => {
      current = state;
    },
    close: () => {
      current = 'stopping';
      return server.close();
    },
  };
}

/** A plain-HTTP server of a few GET endpoints. */
export interface EndpointServer {
  port: number;
  close(): Promise<void>;
}

/** What an endpoint answers. */
export interface EndpointAnswer {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * Serves `routes` (path → answer) over plain HTTP on `host:port` (host default: every interface): GET and HEAD only,
 * 404 naming the paths for anything else. Used for the health endpoints and for `/metrics`.
 */
export async function serveEndpoints(
  options: { port: number; host?: string },
  routes: Record<string, () => EndpointAnswer | Promise<EndpointAnswer>>,
): Promise<EndpointServer> {
  const paths = Object.keys(routes);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const route = routes[path];
    if (route === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: use ${paths.join(' or ')}\n`);
      return;
    }
    Promise.resolve()
      .then(route)
      .then(
        (answer) => {
          response.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain' }).end(answer.body);
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
        },
      );
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Parses a listen address as ASO's `--metrics-addr` takes it: `:8080` (every interface), `127.0.0.1:8080`,
 * `[::1]:8080`, or a bare port; port 0 picks a free one.
 */
export function parseListenAddress(text: string, flag: string): { host?: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:[\]]*):)?(\d+)$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (match === null || port > 65535) {
    throw new UserError(
      `${flag} must be [HOST]:PORT, e.g. :8080 or 127.0.0.1:8080 (port 0: any free one), not ${JSON.stringify(text)}`,
    );
  }
  const host = match[1]?.replace(/^\[|\]$/g, '');
  return host === undefined || host === '' ? { port } : { host, port };
}

/** Parses a `--health-port` value: an integer 0–65535. */
export function parseHealthPort(text: string): number {
  return parsePortFlag(text, '--health-port');
}
