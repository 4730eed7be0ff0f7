/**
 * The embedded Kubernetes-compatible API server: storage with resourceVersions, watch, REST verbs, built-in kinds, CRDs with schema validation, discovery, OpenAPI and tables. It knows nothing of Azure.
 */
export {};
