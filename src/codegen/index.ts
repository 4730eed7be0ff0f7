/**
 * The generator: reads Azure's type definitions and a config of wanted kinds, and writes the resource model, the CRDs and TypeScript declarations.
 */
export {};
