/**
 * The embedded Kubernetes-compatible API server: storage with resourceVersions, watch, REST verbs, built-in kinds,
 * CRDs with schema validation, discovery, OpenAPI and tables. It knows nothing of Azure.
 *
 * `startApiServer({ port: 0 })` serves HTTPS on 127.0.0.1 with a bearer token and returns a kubeconfig for it;
 * with `dataDir` the state, the CA and the token survive restarts.
 */
export { startApiServer, renderKubeconfig } from './internal/server.js';
export type { ApiServerOptions, RunningApiServer } from './internal/server.js';
export type { VersionConverter } from './internal/operations.js';
export type { ServiceResolver } from './internal/conversion-webhook.js';
