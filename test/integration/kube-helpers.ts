/** Helpers for the API server's integration tests: an HTTPS JSON client that trusts the server's CA. */
import { request as httpsRequest } from 'node:https';
import type { RunningApiServer } from '../../src/kube/index.js';

/** A response: status, headers and the body parsed as JSON when possible. */
export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  /** Raw body text (sent as is). */
  raw?: string | Buffer;
  contentType?: string;
  accept?: string;
  token?: string | null;
}

/** Sends one request to the server and reads the whole response. */
export function call(
  server: RunningApiServer,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ClientResponse> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? server.token}`;
  if (payload !== undefined) {
    headers['Content-Type'] = options.contentType ?? 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method, headers, ca: server.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = undefined;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** An open watch: collects events; `next()` waits for the next one. */
export interface WatchStream {
  events: Array<{ type: string; object: Record<string, unknown> }>;
  status: number;
  next(timeoutMs?: number): Promise<{ type: string; object: Record<string, unknown> }>;
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch (adds watch=true) and parses newline-delimited events as they arrive. */
export function openWatch(server: RunningApiServer, path: string, accept = 'application/json'): Promise<WatchStream> {
  const url = new URL(path, server.url);
  url.searchParams.set('watch', 'true');
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'GET',
        headers: { Accept: accept, Authorization: `Bearer ${server.token}` },
        ca: server.caCertPem,
        agent: false,
      },
      (res) => {
        const events: WatchStream['events'] = [];
        let buffer = '';
        let consumed = 0;
        const waiters: Array<() => void> = [];
        let endResolve: () => void = () => undefined;
        const ended = new Promise<void>((done) => (endResolve = done));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let index = buffer.indexOf('\n');
          while (index >= 0) {
            const line = buffer.slice(0, index);
            buffer = buffer.slice(index + 1);
            if (line.trim()) events.push(JSON.parse(line) as { type: string; object: Record<string, unknown> });
            index = buffer.indexOf('\n');
          }
          for (const waiter of waiters.splice(0)) waiter();
        });
        res.on('end', () => {
          endResolve();
          for (const waiter of waiters.splice(0)) waiter();
        });
        res.on('close', () => endResolve());
        let isEnded = false;
        void ended.then(() => (isEnded = true));
        const stream: WatchStream = {
          events,
          status: res.statusCode ?? 0,
          ended,
          close: () => req.destroy(),
          next: async (timeoutMs = 10_000) => {
            const deadline = Date.now() + timeoutMs;
            while (consumed >= events.length) {
              if (isEnded) throw new Error('watch ended');
              if (Date.now() > deadline) throw new Error(`no watch event within ${timeoutMs} ms`);
              await new Promise<void>((wake) => {
                waiters.push(wake);
                setTimeout(wake, 100);
              });
            }
            const event = events[consumed];
            consumed += 1;
            if (!event) throw new Error('no event');
            return event;
          },
        };
        resolve(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A minimal CRD for Widgets (example.com), namespaced, with status subresource and printer columns. */
export function widgetCrd(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          ],
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: {
                    replicas: { type: 'integer', minimum: 0, default: 1 },
                    color: { type: 'string', enum: ['red', 'blue'] },
                    owner: { type: 'string' },
                  },
                  required: ['color'],
                },
                status: {
                  type: 'object',
                  properties: {
                    phase: { type: 'string' },
                    conditions: {
                      type: 'array',
                      items: { type: 'object', properties: { type: { type: 'string' }, status: { type: 'string' } } },
                    },
                  },
                },
              },
            },
          },
        },
      ],
      ...overrides,
    },
  };
}

/** Polls `check` until it returns a truthy value (no timing assertions: just waits up to `timeoutMs`). */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
