/** Small HTTP helpers of the emulator (its own: it shares no HTTP code with the operator's ARM client). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArmError } from './errors.js';

/** ARM's request body limit: 4 MB. */
export const maxBodyBytes = 4 * 1024 * 1024;

/** Reads the whole request body; throws a 413 ArmError when it exceeds `limit` bytes. */
export async function readBody(request: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the limit the rest is drained, not kept: leaving the loop early would destroy the socket before the 413.
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size <= limit) chunks.push(buffer);
  }
  if (size > limit) throw tooLarge(limit);
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): ArmError {
  return new ArmError(413, 'RequestEntityTooLarge', `The request content size exceeds the maximum of ${limit} bytes.`, {
    headers: { connection: 'close' },
  });
}

/** Parses a JSON request body; an empty body is `undefined`; bad JSON → 400 `InvalidRequestContent`. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw new ArmError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: '${(error as Error).message}'.`,
    );
  }
}

/** Writes a response: JSON when `body` is defined, none otherwise (and never for HEAD). */
export function send(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  if (body === undefined || request.method === 'HEAD') {
    response.writeHead(status);
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(text));
  response.writeHead(status);
  response.end(text);
}

/** True for a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
