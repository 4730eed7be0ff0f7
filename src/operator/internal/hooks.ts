/**
 * Kind extensions: named, optional hooks for irregular kinds, each calling `next` for the generic behaviour. A
 * regular kind has none. Extensions live in `operator/extensions/<group>/<kind>.ts`.
 */
import type { KindModel } from '../../model/index.js';
import type { KubeObject } from './kube.js';

/**
 * ARM calls a hook may make (reads and POST actions; never PUT/DELETE of the resource itself). `post` returns the
 * action's result, or throws `RequeueLater` while a long-running action is still under way.
 */
export interface HookArm {
  tryGet(id: string, apiVersion: string): Promise<unknown>;
  post(id: string, action: string, apiVersion: string, body?: unknown): Promise<unknown>;
}

/**
 * Thrown by a hook (or its `HookArm.post`) when something it started is still under way: the reconcile reports
 * Reconciling and comes back after `delayMs`, holding no worker meanwhile. Starting the step again must be harmless.
 */
export class RequeueLater extends Error {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
    this.name = 'RequeueLater';
  }
}

/** Type guard for `RequeueLater`. */
export function isRequeueLater(value: unknown): value is RequeueLater {
  return value instanceof RequeueLater;
}

/** What every hook sees. */
export interface HookContext {
  object: KubeObject;
  model: KindModel;
}

/** The hooks a kind may implement. */
export interface ResourceHooks {
  /** Why this kind needs an extension (shown in docs and logs). */
  reason: string;
  /** The Azure name when `spec.azureName` is unset. */
  azureName?(context: HookContext, next: () => string): string;
  /**
   * A name to write into `spec.azureName` before anything reaches Azure, when the spec has none and nothing was
   * created yet (ASO's defaulting webhook sets it at admission): for names that cannot be derived again, such as a
   * random GUID.
   */
  persistedAzureName?(context: HookContext): string | undefined;
  /** Adjusts the desired ARM body before it is compared with Azure and sent (e.g. drop create-only values). */
  desiredBody?(
    context: HookContext & { body: Record<string, unknown> },
    next: (body: Record<string, unknown>) => Record<string, unknown>,
  ): Record<string, unknown>;
  /** Adjusts the body of a PUT right before it is sent; `existing` is Azure's current body (undefined: a create). */
  beforePut?(
    context: HookContext & { body: Record<string, unknown>; existing: unknown; arm: HookArm; armId: string },
    next: (body: Record<string, unknown>) => Promise<Record<string, unknown>>,
  ): Promise<Record<string, unknown>>;
}

/** Runs `azureName` through the hooks (last registered outermost). */
export function runAzureName(hooks: readonly ResourceHooks[], context: HookContext, base: () => string): string {
  return hooks.reduce<() => string>(
    (next, hook) => (hook.azureName ? () => hook.azureName?.(context, next) ?? next() : next),
    base,
  )();
}

/** The first name a hook wants written into `spec.azureName`, if any. */
export function runPersistedAzureName(hooks: readonly ResourceHooks[], context: HookContext): string | undefined {
  for (const hook of hooks) {
    const name = hook.persistedAzureName?.(context);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** Runs `desiredBody` through the hooks. */
export function runDesiredBody(
  hooks: readonly ResourceHooks[],
  context: HookContext,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const chain = hooks.reduce<(b: Record<string, unknown>) => Record<string, unknown>>(
    (next, hook) => (hook.desiredBody ? (b) => hook.desiredBody?.({ ...context, body: b }, next) ?? next(b) : next),
    (b) => b,
  );
  return chain(body);
}

/** Runs `beforePut` through the hooks. */
export async function runBeforePut(
  hooks: readonly ResourceHooks[],
  context: HookContext & { existing: unknown; arm: HookArm; armId: string },
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const chain = hooks.reduce<(b: Record<string, unknown>) => Promise<Record<string, unknown>>>(
    (next, hook) => (hook.beforePut ? (b) => hook.beforePut?.({ ...context, body: b }, next) ?? next(b) : next),
    async (b) => b,
  );
  return chain(body);
}
