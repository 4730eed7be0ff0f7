// A recording reverse proxy in front of the embedded API server: HTTPS in (its own CA; client-node refuses plain HTTP
// with a token), HTTPS out, responses (watches too) streamed through unchanged. Records each request's method, URL and
// (JSON) body, to check RBAC against what a client
// actually called.
import type { IncomingHttpHeaders } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadOrCreateServerCredentials } from '../../src/tls/index.js';

/** One proxied request. */
export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
  status: number | undefined;
}

/** A running proxy. */
export interface RecordingProxy {
  url: string;
  /** The CA of the proxy's certificate (for the client's kubeconfig). */
  caCertPem: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Proxies to `upstream` (an https:// URL served with a certificate signed by `caCertPem`). */
export async function startRecordingProxy(upstream: string, caCertPem: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const requests: RecordedRequest[] = [];
  const credentials = await loadOrCreateServerCredentials({ caName: 'azo deploy test proxy CA' });
  const server = createServer({ cert: credentials.certPem, key: credentials.keyPem }, (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const raw = Buffer.concat(chunks);
      const record: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        body: parseBody(raw),
        status: undefined,
      };
      requests.push(record);
      const headers: IncomingHttpHeaders = { ...incoming.headers, host: target.host };
      const forwarded = httpsRequest(
        {
          hostname: target.hostname,
          port: target.port,
          method: record.method,
          path: record.url,
          headers,
          ca: caCertPem,
        },
        (response) => {
          record.status = response.statusCode;
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          outgoing.flushHeaders(); // a watch may send no body for a while; its client waits for the headers
          response.pipe(outgoing);
          outgoing.on('close', () => response.destroy());
        },
      );
      forwarded.on('error', (error) => {
        if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
        outgoing.end(`proxy: ${error.message}`);
      });
      forwarded.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    caCertPem: credentials.caCertPem,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return raw.toString('utf8');
  }
}
