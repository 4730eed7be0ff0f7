/**
 * The resource model: the generated description of every kind azo serves, and the generic code that reads it —
 * ARM IDs (build/parse), spec → ARM body and ARM body → status conversion, naming rules. Pure code, no I/O: callers
 * pass the model data in.
 */
export type { ArmScope, SchemaNode, ExportSource, KindModel } from './types.js';
