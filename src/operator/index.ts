/**
 * The operator: informers, the work queue, and one generic ARM reconciler driven by the resource model, with ASO's semantics.
 */
export {};
