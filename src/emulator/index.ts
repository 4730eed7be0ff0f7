/**
 * The ARM + Entra ID token emulator: a local Azure Resource Manager for any resource type, validated by the resource model, with long-running operations, throttling, faults and a request log.
 */
export {};
