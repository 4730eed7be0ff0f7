/**
 * The web view of `azo dev`: static pages shipped in the package (`web/`, no build step) and a small JSON API over
 * what the dev process already runs — the objects and their Ready condition, the graph, the emulator's request log,
 * and one object as spec, ARM body and Azure state. It listens on 127.0.0.1 only and reads like any client: the API
 * server through the kubeconfig, the emulator over HTTPS.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { listInstalledKinds, listManagedObjects, type InstalledKind, type ListedObject } from './cluster-objects.js';
import { renderDot, renderSvg } from './graph-render.js';
import { buildObjectGraph, readyOf } from './object-graph.js';
import { describeObject } from './object-detail.js';
import { RESOURCE_ID_ANNOTATION } from '../../operator/index.js';

/** Where the web view reads from. */
export interface WebViewOptions {
  /** Port on 127.0.0.1 (0: any free one). */
  port: number;
  kubeConfig: KubeConfig;
  /** The emulator, for its request log; absent on real Azure. */
  emulator?: { url: string; caCertPem: string };
  /** Used for `wellKnownName` references (built-in roles). */
  subscriptionId: string;
  /** Azure's GET of a resource (undefined when absent); absent when Azure cannot be read. */
  readAzure?: (armId: string, apiVersion: string) => Promise<unknown>;
  logger: Logger;
}

/** A running web view. */
export interface RunningWebView {
  url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Starts the web view on 127.0.0.1. */
export async function startWebView(options: WebViewOptions): Promise<RunningWebView> {
  const assets = webAssetsDir();
  let kinds: InstalledKind[] | undefined;
  const listObjects = async (namespace?: string): Promise<ListedObject[]> => {
    kinds ??= await listInstalledKinds(options.kubeConfig);
    return listManagedObjects(options.kubeConfig, kinds, namespace);
  };
  const routes: Record<string, (url: URL) => Promise<{ type: string; body: string } | undefined>> = {
    '/api/objects': async () => json({ items: (await listObjects()).map(summarise) }),
    '/api/graph.svg': async (url) => {
      const namespace = url.searchParams.get('namespace') || undefined;
      const dot = renderDot(buildObjectGraph(await listObjects(namespace)), namespace ?? 'all namespaces');
      return { type: 'image/svg+xml', body: await renderSvg(dot) };
    },
    '/api/requests': async (url) => {
      if (options.emulator === undefined) return json({ value: [], note: 'real Azure: there is no request log' });
      const since = url.searchParams.get('since') ?? '0';
      const path = `/_emulator/requests?since=${encodeURIComponent(since)}`;
      return { type: 'application/json', body: await getText(options.emulator, path) };
    },
    '/api/object': async (url) => {
      const [group, kind, namespace, name] = ['group', 'kind', 'namespace', 'name'].map(
        (key) => url.searchParams.get(key) ?? '',
      );
      const objects = await listObjects();
      const target = objects.find(
        ({ model, object }) =>
          model.group === group &&
          model.kind === kind &&
          object.metadata?.namespace === namespace &&
          object.metadata?.name === name,
      );
      if (target === undefined) return undefined;
      const core = options.kubeConfig.makeApiClient(CoreV1Api);
      const detail = await describeObject(target, {
        objects,
        subscriptionId: options.subscriptionId,
        configMapValue: async (ns, configMap, key) => {
          try {
            return (await core.readNamespacedConfigMap({ name: configMap, namespace: ns })).data?.[key];
          } catch {
            return undefined;
          }
        },
        ...(options.readAzure ? { readAzure: options.readAzure } : {}),
      });
      return json(detail);
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET') return send(response, 405, 'text/plain', 'only GET');
    const route = routes[url.pathname];
    if (route !== undefined) {
      const result = await route(url);
      return result === undefined
        ? send(response, 404, 'application/json', JSON.stringify({ error: 'no such object' }))
        : send(response, 200, result.type, result.body);
    }
    const file = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const type = contentTypes[file.slice(file.lastIndexOf('.'))];
    if (!/^[\w-]+\.\w+$/.test(file) || type === undefined || !existsSync(join(assets, file))) {
      return send(response, 404, 'text/plain', 'not found');
    }
    return send(response, 200, type, readFileSync(join(assets, file), 'utf8'));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      options.logger.warn({ error: message, url: request.url }, 'web view request failed');
      if (!response.headersSent) send(response, 502, 'application/json', JSON.stringify({ error: message }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(value: unknown): { type: string; body: string } {
  return { type: 'application/json', body: JSON.stringify(value) };
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

/** One table row: where the object is, its Ready condition and ARM ID. */
function summarise({ model, object }: ListedObject) {
  return {
    group: model.group,
    kind: model.kind,
    namespace: object.metadata?.namespace ?? '',
    name: object.metadata?.name ?? '',
    ...readyOf(object),
    armId: object.metadata?.annotations?.[RESOURCE_ID_ANNOTATION] ?? '',
    createdAt: object.metadata?.creationTimestamp ?? '',
  };
}

/** GET of an emulator admin path over HTTPS, trusting the emulator's CA. */
function getText(emulator: { url: string; caCertPem: string }, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(`${emulator.url}${path}`, { ca: emulator.caCertPem }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () =>
        (response.statusCode ?? 0) < 300
          ? resolve(body)
          : reject(new Error(`emulator ${path}: ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** The `web/` folder shipped beside this package (found from src/ and from dist/src/). */
function webAssetsDir(): string {
  for (let dir = new URL('.', import.meta.url); dir.pathname !== '/'; dir = new URL('..', dir)) {
    const candidate = fileURLToPath(new URL('web', dir));
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error('the web view pages (web/index.html) are missing from this installation of azo');
}
