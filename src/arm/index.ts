/**
 * The operator's ARM client: credentials, request scheduling within ARM's limits, and long-running operations, addressing resources by ID.
 */
export {};
