/**
 * The resource model: loads a kind's generated model, builds and parses ARM IDs, converts spec to ARM bodies and ARM bodies to status. Pure code, no I/O.
 */
export {};
