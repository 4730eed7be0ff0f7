/**
 * For callers that use @kubernetes/client-node themselves (benches, tests): its API clients open a new TLS
 * connection per request. The operator does not use client-node; only its types are named here (erased at run time).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';

/**
 * A view of `kubeConfig` whose API clients reuse connections: one keep-alive agent per TLS setting instead of a new
 * `https.Agent` per request; headers (the token) are still applied per request. Proxy agents are left as they are.
 * The caller's KubeConfig is not modified.
 */
export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  const agents = new Map<string, HttpAgent>();
  const view = Object.create(kubeConfig) as KubeConfig;
  view.applySecurityAuthentication = async (context: RequestContext): Promise<void> => {
    await kubeConfig.applySecurityAuthentication(context);
    const created = context.getAgent();
    const plain = created?.constructor === HttpsAgent || created?.constructor === HttpAgent;
    if (created === undefined || !plain) return;
    const options = (created as HttpAgent & { options?: Record<string, unknown> }).options ?? {};
    const part = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : value);
    const settings = ['ca', 'cert', 'key', 'pfx', 'rejectUnauthorized', 'servername'].map((name) =>
      part(options[name]),
    );
    const key = JSON.stringify([created.constructor === HttpsAgent, ...settings]);
    let agent = agents.get(key);
    if (agent === undefined) {
      const keepAlive = { ...options, keepAlive: true };
      agent = created.constructor === HttpsAgent ? new HttpsAgent(keepAlive) : new HttpAgent(keepAlive);
      agents.set(key, agent);
    }
    context.setAgent(agent);
  };
  return view;
}
