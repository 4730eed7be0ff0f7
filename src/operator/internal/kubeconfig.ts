/**
 * Kubeconfig files and in-cluster config, read into a `KubeClientConfig` (the `ClusterAccess` of `kube-http.ts`).
 * Supported: clusters' server, certificate-authority(-data), insecure-skip-tls-verify, tls-server-name; users' token,
 * tokenFile, client-certificate(-data)/client-key(-data), username/password, and `exec` plugins; several files
 * (KUBECONFIG=a:b) merge as kubectl merges them: the first file to name an entry, or the current-context, wins.
 * Token files (the in-cluster ServiceAccount token is rotated by the kubelet) are read again after a minute.
 */
import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { type ExecConfig, ExecCredentialSource } from './exec-credential.js';
import type { ClusterAccess } from './kube-http.js';

export interface ClusterSettings {
  server: string;
  ca?: Buffer;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
}

export interface UserSettings {
  token?: string;
  tokenFile?: string;
  cert?: Buffer;
  key?: Buffer;
  username?: string;
  password?: string;
  exec?: ExecCredentialSource;
}

const tokenFileRereadMs = 60_000;
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One cluster and the credentials for it. */
export class KubeClientConfig implements ClusterAccess {
  private tokenRead: { token: string; at: number } | undefined;

  constructor(
    readonly cluster: ClusterSettings,
    readonly user: UserSettings,
    /** The context's namespace (in-cluster: the pod's). */
    readonly namespace?: string,
    private readonly now: () => number = Date.now,
  ) {}

  getCurrentCluster(): ClusterSettings {
    return this.cluster;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const { cluster, user } = this;
    if (cluster.ca !== undefined) options.ca = cluster.ca;
    if (cluster.insecureSkipTlsVerify === true) options.rejectUnauthorized = false;
    if (cluster.tlsServerName !== undefined) options.servername = cluster.tlsServerName;
    if (user.cert !== undefined && user.key !== undefined) {
      options.cert = user.cert;
      options.key = user.key;
    }
    let token = user.token ?? (user.tokenFile !== undefined ? this.fileToken(user.tokenFile) : undefined);
    if (user.exec !== undefined) {
      const credential = await user.exec.credential();
      token = credential.token ?? token;
      if (credential.clientCertificateData !== undefined && credential.clientKeyData !== undefined) {
        options.cert = credential.clientCertificateData;
        options.key = credential.clientKeyData;
      }
    }
    const headers = (options.headers ??= {}) as Record<string, string>;
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    else if (user.username !== undefined) options.auth = `${user.username}:${user.password ?? ''}`;
  }

  /** A 401: the exec plugin runs again and the token file is read again at the next request. */
  onUnauthorized(): void {
    this.tokenRead = undefined;
    this.user.exec?.forget();
  }

  private fileToken(file: string): string {
    const read = this.tokenRead;
    if (read !== undefined && this.now() - read.at < tokenFileRereadMs) return read.token;
    const token = readFileSync(file, 'utf8').trim();
    this.tokenRead = { token, at: this.now() };
    return token;
  }
}

/** Reads kubeconfig `files` (merged, see the module comment); `context` overrides the current-context. */
export function loadKubeconfigFiles(files: string[], options: { context?: string } = {}): KubeClientConfig {
  const merged = {
    clusters: new Map<string, Entry>(),
    users: new Map<string, Entry>(),
    contexts: new Map<string, Entry>(),
  };
  let current = options.context;
  for (const file of files) {
    let document: Record<string, unknown> | null;
    try {
      document = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    } catch (error) {
      throw new Error(`kubeconfig ${file}: ${(error as Error).message.split('\n')[0]}`);
    }
    if (document === null) continue;
    for (const section of ['clusters', 'users', 'contexts'] as const) {
      const list = document[section] ?? [];
      if (!Array.isArray(list)) throw new Error(`kubeconfig ${file}: ${section} is not a list`);
      for (const item of list as Array<Record<string, unknown>>) {
        const name = item['name'];
        const singular = section.slice(0, -1);
        if (typeof name !== 'string') throw new Error(`kubeconfig ${file}: an entry of ${section} has no name`);
        if (!merged[section].has(name)) merged[section].set(name, { value: objectAt(item, singular), file });
      }
    }
    const named = document['current-context'];
    if (current === undefined && typeof named === 'string' && named !== '') current = named;
  }
  const where = files.join(', ');
  if (current === undefined) throw new Error(`kubeconfig ${where}: no current-context`);
  const context = merged.contexts.get(current);
  if (context === undefined) throw new Error(`kubeconfig ${where}: current-context ${current} is not in contexts`);
  const clusterName = stringAt(context, 'cluster', `context ${current}`);
  const userName = context.value['user'];
  const cluster = merged.clusters.get(clusterName ?? '');
  if (cluster === undefined) {
    throw new Error(
      `kubeconfig ${context.file}: context ${current} names cluster ${clusterName}, which is not in clusters`,
    );
  }
  let user: Entry = { value: {}, file: context.file };
  if (typeof userName === 'string' && userName !== '') {
    const found = merged.users.get(userName);
    if (found === undefined) {
      throw new Error(`kubeconfig ${context.file}: context ${current} names user ${userName}, which is not in users`);
    }
    user = found;
  }
  const namespace = stringAt(context, 'namespace', `context ${current}`);
  return new KubeClientConfig(
    clusterSettings(cluster, String(clusterName)),
    userSettings(user, String(userName ?? '')),
    namespace,
  );
}

/** The pod's ServiceAccount config (`env`: KUBERNETES_SERVICE_HOST/PORT; `dir`: the mounted token, CA, namespace). */
export function inClusterConfig(
  env: Record<string, string | undefined> = process.env,
  dir: string = serviceAccountDir,
  now: () => number = Date.now,
): KubeClientConfig {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new Error('in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set');
  }
  const tokenFile = join(dir, 'token');
  const ca = readFile(join(dir, 'ca.crt'), 'in-cluster config');
  readFile(tokenFile, 'in-cluster config'); // fail now, not at the first request
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim();
  } catch {
    namespace = undefined;
  }
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new KubeClientConfig({ server, ca }, { tokenFile }, namespace, now);
}

interface Entry {
  value: Record<string, unknown>;
  file: string;
}

function clusterSettings(entry: Entry, name: string): ClusterSettings {
  const where = `cluster ${name}`;
  const server = stringAt(entry, 'server', where);
  if (server === undefined) throw new Error(`kubeconfig ${entry.file}: ${where} has no server`);
  if (entry.value['proxy-url'] !== undefined) {
    throw new Error(`kubeconfig ${entry.file}: ${where}: proxy-url is not supported by azo operator`);
  }
  const settings: ClusterSettings = { server };
  const ca = bytesAt(entry, 'certificate-authority', where);
  if (ca !== undefined) settings.ca = ca;
  if (entry.value['insecure-skip-tls-verify'] === true) settings.insecureSkipTlsVerify = true;
  const serverName = stringAt(entry, 'tls-server-name', where);
  if (serverName !== undefined) settings.tlsServerName = serverName;
  return settings;
}

function userSettings(entry: Entry, name: string): UserSettings {
  const where = `user ${name}`;
  const settings: UserSettings = {};
  const token = stringAt(entry, 'token', where);
  const tokenFile = stringAt(entry, 'tokenFile', where);
  if (token !== undefined) settings.token = token;
  else if (tokenFile !== undefined) settings.tokenFile = pathFrom(entry, tokenFile);
  const cert = bytesAt(entry, 'client-certificate', where);
  const key = bytesAt(entry, 'client-key', where);
  if ((cert === undefined) !== (key === undefined)) {
    throw new Error(`kubeconfig ${entry.file}: ${where} needs both client-certificate and client-key, or neither`);
  }
  if (cert !== undefined && key !== undefined) Object.assign(settings, { cert, key });
  const username = stringAt(entry, 'username', where);
  if (username !== undefined) {
    settings.username = username;
    settings.password = stringAt(entry, 'password', where) ?? '';
  }
  const exec = entry.value['exec'];
  if (exec !== undefined && exec !== null) settings.exec = execSource(entry, exec, where);
  const provider = objectAt(entry.value, 'auth-provider')['name'];
  if (provider !== undefined && exec === undefined) {
    throw new Error(
      `kubeconfig ${entry.file}: ${where} uses auth-provider ${String(provider)}, which azo does not support; ` +
        'use an exec plugin (for AKS: kubelogin convert-kubeconfig)',
    );
  }
  return settings;
}

function execSource(entry: Entry, exec: unknown, where: string): ExecCredentialSource {
  const stanza = exec as Record<string, unknown>;
  const command = stanza['command'];
  if (typeof command !== 'string' || command === '') {
    throw new Error(`kubeconfig ${entry.file}: ${where}: exec has no command`);
  }
  const args = stanza['args'] ?? [];
  const env = stanza['env'] ?? [];
  if (!Array.isArray(args) || !Array.isArray(env)) {
    throw new Error(`kubeconfig ${entry.file}: ${where}: exec args and env must be lists`);
  }
  const config: ExecConfig = {
    command,
    args: args.map(String),
    env: (env as Array<Record<string, unknown>>).map((item) => ({
      name: String(item['name']),
      value: String(item['value'] ?? ''),
    })),
  };
  if (typeof stanza['apiVersion'] === 'string') config.apiVersion = stanza['apiVersion'];
  return new ExecCredentialSource(config, `kubeconfig ${entry.file}: ${where}`, dirname(entry.file));
}

function objectAt(item: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = item[key];
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function stringAt(entry: Entry, key: string, where: string): string | undefined {
  const value = entry.value[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`kubeconfig ${entry.file}: ${where}: ${key} must be a string`);
  return value;
}

/** `<key>-data` (base64) or `<key>` (a file, relative to the kubeconfig's directory). */
function bytesAt(entry: Entry, key: string, where: string): Buffer | undefined {
  const data = stringAt(entry, `${key}-data`, where);
  if (data !== undefined) return Buffer.from(data, 'base64');
  const file = stringAt(entry, key, where);
  return file === undefined ? undefined : readFile(pathFrom(entry, file), `kubeconfig ${entry.file}: ${where}: ${key}`);
}

function pathFrom(entry: Entry, file: string): string {
  return isAbsolute(file) ? file : resolve(dirname(entry.file), file);
}

function readFile(file: string, where: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(
      `${where}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
