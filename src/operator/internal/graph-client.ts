/** A minimal Microsoft Graph v1.0 client for groups: JSON over HTTPS with a bearer token from the ARM credential. */
import { request as httpsRequest } from 'node:https';
import type { TokenCredential } from '@azure/identity';
import { defaultScopeOf } from './credentials.js';
import type { GraphGroup } from './entra-group-plan.js';

/** A Graph error response (`{error: {code, message}}`). */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Groups on one Graph endpoint with one credential. */
export class GraphClient {
  constructor(
    private readonly options: {
      endpoint: string;
      /** The token audience: https://graph.microsoft.com, or a national cloud's Graph. */
      audience: string;
      credential: TokenCredential;
      caCertPem?: string;
      timeoutMs: number;
      /** Aborts every request (the reconcile's deadline). */
      signal?: AbortSignal;
    },
  ) {}

  /** The group, or null when Graph says it does not exist. */
  async getGroup(id: string): Promise<GraphGroup | null> {
    try {
      return (await this.send('GET', `/v1.0/groups/${encodeURIComponent(id)}`)) as GraphGroup;
    } catch (error) {
      if (error instanceof GraphError && error.status === 404) return null;
      throw error;
    }
  }

  /** The IDs of the groups whose display name is `displayName`. */
  async findByDisplayName(displayName: string): Promise<string[]> {
    const filter = encodeURIComponent(`displayName eq '${displayName.replace(/'/g, "''")}'`);
    const result = (await this.send('GET', `/v1.0/groups?$filter=${filter}`)) as { value?: GraphGroup[] };
    return (result.value ?? []).map((group) => group.id);
  }

  async createGroup(body: Record<string, unknown>): Promise<GraphGroup> {
    return (await this.send('POST', '/v1.0/groups', body)) as GraphGroup;
  }

  async updateGroup(id: string, patch: Record<string, unknown>): Promise<void> {
    await this.send('PATCH', `/v1.0/groups/${encodeURIComponent(id)}`, patch);
  }

  /** Deletes the group; one that is already gone is not an error. */
  async deleteGroup(id: string): Promise<void> {
    try {
      await this.send('DELETE', `/v1.0/groups/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 404)) throw error;
    }
  }

  private async send(method: string, path: string, body?: unknown): Promise<unknown> {
    const signal = this.options.signal;
    const scope = defaultScopeOf(this.options.audience);
    const token = await this.options.credential.getToken(scope, signal !== undefined ? { abortSignal: signal } : {});
    if (token === null) throw new GraphError(401, 'NoToken', 'no token for Microsoft Graph');
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(path, `${this.options.endpoint}/`);
    return new Promise((resolve, reject) => {
      const request = httpsRequest(
        url,
        {
          method,
          timeout: this.options.timeoutMs,
          ...(signal !== undefined ? { signal } : {}),
          ...(this.options.caCertPem !== undefined ? { ca: this.options.caCertPem } : {}),
          headers: {
            authorization: `Bearer ${token.token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(json);
            const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
            reject(
              new GraphError(status, error?.code ?? `Http${status}`, error?.message ?? (text || `HTTP ${status}`)),
            );
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`Microsoft Graph ${method} ${path} timed out`)));
      request.on('error', reject);
      if (payload) request.write(payload);
      request.end();
    });
  }
}
