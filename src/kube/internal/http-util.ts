/** HTTP helpers: bounded body reading, JSON/Status responses, Accept and Content-Type parsing, Warning headers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.js';

/** Largest accepted request body (the real API server's default: 3 MiB). */
export const maxBodyBytes = 3 * 1024 * 1024;

/** Reads the request body; rejects with 413 past `maxBodyBytes` (draining the rest). */
export function readBody(request: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? '0');
    const tooLarge = () =>
      new ApiError(413, 'RequestEntityTooLarge', `the request body is too large: limit is ${limit} bytes`, {});
    if (declared > limit) {
      request.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

/** One media type of an Accept or Content-Type header. */
export interface MediaType {
  type: string;
  parameters: Record<string, string>;
}

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header
    .split(',')
    .map((entry) => {
      const [type = '', ...parameters] = entry.split(';').map((part) => part.trim());
      const parsed: Record<string, string> = {};
      for (const parameter of parameters) {
        const index = parameter.indexOf('=');
        if (index > 0) parsed[parameter.slice(0, index).trim().toLowerCase()] = parameter.slice(index + 1).trim();
      }
      return { type: type.toLowerCase(), parameters: parsed };
    })
    .filter((media) => media.type !== '');
}

/** What the client asked the response to be. */
export type ResponseShape = 'object' | 'table' | 'partial';

/** Chooses the response shape from Accept; throws 406 when only unsupported types are acceptable. */
export function negotiate(acceptHeader: string | undefined): ResponseShape {
  const types = parseMediaTypes(acceptHeader);
  if (types.length === 0) return 'object';
  for (const media of types) {
    if (media.type === 'application/json' || media.type === '*/*' || media.type === 'application/*') {
      const as = media.parameters.as;
      if (as === undefined) return 'object';
      if (
        as === 'Table' &&
        (media.parameters.v ?? 'v1') === 'v1' &&
        (media.parameters.g ?? 'meta.k8s.io') === 'meta.k8s.io'
      )
        return 'table';
      if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && media.parameters.v === 'v1')
        return 'partial';
    }
  }
  throw new ApiError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io`,
    {},
  );
}

/** Writes a JSON response. */
export function sendJson(response: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-cache, private',
  };
  if (warnings.length > 0) headers.Warning = warnings.map(warningHeader);
  response.writeHead(code, headers);
  response.end(text);
}

/** A `Warning: 299 - "text"` header value. */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text.replace(/[\r\n]/g, ' '))}`;
}

/** Writes an error as a Status object. */
export function sendError(response: ServerResponse, error: ApiError, warnings: string[] = []): void {
  sendJson(response, error.code, error.toStatus(), warnings);
}
