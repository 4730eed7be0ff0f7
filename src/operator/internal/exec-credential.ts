/**
 * Credentials from a kubeconfig `exec` plugin (client.authentication.k8s.io v1 or v1beta1 ExecCredential), as
 * kubectl runs them: the command prints an ExecCredential whose status holds a bearer token or a client certificate,
 * kept until its `expirationTimestamp` (or for good when it has none). AKS clusters use this (kubelogin).
 */
import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';

/** A kubeconfig user's `exec` stanza. */
export interface ExecConfig {
  apiVersion?: string;
  command: string;
  args?: string[];
  env?: Array<{ name: string; value: string }>;
}

/** What a plugin printed. */
export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** ms since the epoch; undefined: does not expire. */
  expiresAt?: number;
}

const defaultApiVersion = 'client.authentication.k8s.io/v1beta1';
const pluginTimeoutMs = 60_000;

/** One user's plugin; concurrent callers share one run. */
export class ExecCredentialSource {
  private cached: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;

  /** `where`: names the kubeconfig and user in errors; `baseDir`: resolves a relative command path. */
  constructor(
    private readonly config: ExecConfig,
    private readonly where: string,
    private readonly baseDir: string,
    private readonly now: () => number = Date.now,
  ) {}

  async credential(): Promise<ExecCredential> {
    const cached = this.cached;
    if (cached !== undefined && (cached.expiresAt === undefined || cached.expiresAt > this.now())) return cached;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    this.cached = await this.running;
    return this.cached;
  }

  /** Drops the kept credential (the API server refused it): the next request runs the plugin again. */
  forget(): void {
    this.cached = undefined;
  }

  private async run(): Promise<ExecCredential> {
    const { config } = this;
    const apiVersion = config.apiVersion ?? defaultApiVersion;
    // As kubectl: a command with a slash is a path, relative to the kubeconfig's directory; else found on PATH.
    const command =
      config.command.includes('/') && !isAbsolute(config.command)
        ? resolve(this.baseDir, config.command)
        : config.command;
    const env: Record<string, string | undefined> = { ...process.env };
    for (const { name, value } of config.env ?? []) env[name] = value;
    env['KUBERNETES_EXEC_INFO'] = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
    const stdout = await new Promise<string>((done, fail) => {
      execFile(command, config.args ?? [], { env, timeout: pluginTimeoutMs, maxBuffer: 4 << 20 }, (error, out, err) => {
        if (error === null) return done(out);
        const detail = String(err).trim().split('\n')[0] || error.message.split('\n')[0];
        fail(new Error(`${this.where}: exec plugin ${config.command} failed: ${detail}`));
      });
    });
    return this.parse(stdout, apiVersion);
  }

  private parse(stdout: string, apiVersion: string): ExecCredential {
    let printed: { apiVersion?: unknown; kind?: unknown; status?: Record<string, unknown> };
    try {
      printed = JSON.parse(stdout) as typeof printed;
    } catch {
      throw new Error(`${this.where}: exec plugin ${this.config.command} printed no JSON ExecCredential`);
    }
    if (printed.kind !== 'ExecCredential' || printed.apiVersion !== apiVersion) {
      throw new Error(
        `${this.where}: exec plugin ${this.config.command} printed ${String(printed.apiVersion)} ` +
          `${String(printed.kind)}, not ${apiVersion} ExecCredential`,
      );
    }
    const status = printed.status ?? {};
    const text = (name: string) => (typeof status[name] === 'string' && status[name] !== '' ? status[name] : undefined);
    const credential: ExecCredential = {};
    const token = text('token');
    const cert = text('clientCertificateData');
    const key = text('clientKeyData');
    if (token !== undefined) credential.token = token;
    if (cert !== undefined && key !== undefined) {
      credential.clientCertificateData = cert;
      credential.clientKeyData = key;
    }
    if (token === undefined && credential.clientCertificateData === undefined) {
      throw new Error(
        `${this.where}: exec plugin ${this.config.command} gave neither a token nor a client certificate`,
      );
    }
    const expiration = text('expirationTimestamp');
    if (expiration !== undefined) {
      const at = Date.parse(expiration);
      if (Number.isNaN(at)) {
        throw new Error(`${this.where}: exec plugin ${this.config.command}: bad expirationTimestamp ${expiration}`);
      }
      credential.expiresAt = at;
    }
    return credential;
  }
}
