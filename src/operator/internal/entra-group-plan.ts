/**
 * The decisions of the Entra SecurityGroup reconciler (Microsoft Graph, not ARM), as a pure function: given what is
 * known so far in a pass, the next step. The I/O lives in entra-group.ts, which loops plan → execute.
 */
import type { ReconcilePolicy } from './policy.js';

/** Graph's group as far as the reconciler compares it. */
export type GraphGroup = Record<string, unknown> & { id: string };

/** What a pass knows when it asks for the next step. */
export interface GroupPlanInput {
  deleting: boolean;
  policy: ReconcilePolicy;
  /** The group ID recorded on the object (annotation `serviceoperator.azure.com/resource-id`). */
  recordedId: string | undefined;
  /** The recorded group as read: undefined = not read yet, null = Graph says it does not exist. */
  observed: GraphGroup | null | undefined;
  /** IDs of the groups with the spec's display name: undefined = not searched yet. */
  matches: string[] | undefined;
  creationMode: 'AdoptOrCreate' | 'AlwaysCreate';
  desired: Record<string, unknown>;
}

/** The next step. */
export type GroupStep =
  | { kind: 'read'; id: string }
  | { kind: 'find' }
  | { kind: 'adopt'; id: string }
  | { kind: 'create' }
  | { kind: 'update'; id: string; patch: Record<string, unknown> }
  | { kind: 'delete'; id: string }
  | { kind: 'forget' }
  | { kind: 'ready'; group: GraphGroup }
  | { kind: 'skipped'; group: GraphGroup | undefined }
  | { kind: 'ambiguous'; count: number }
  | { kind: 'release' };

/** Properties Graph lets a PATCH change that the spec sets (group types and role assignability are fixed at create). */
const patchable = ['displayName', 'mailNickname', 'description'] as const;

/** See the module comment. */
export function planGroupStep(input: GroupPlanInput): GroupStep {
  const { recordedId, observed } = input;
  if (input.deleting) {
    if (input.policy !== 'manage' || recordedId === undefined || observed === null) return { kind: 'release' };
    return { kind: 'delete', id: recordedId };
  }
  if (recordedId !== undefined) {
    if (observed === undefined) return { kind: 'read', id: recordedId };
    if (input.policy === 'skip') return { kind: 'skipped', group: observed ?? undefined };
    if (observed === null) return { kind: 'forget' };
    const patch = groupPatch(input.desired, observed);
    return patch === undefined ? { kind: 'ready', group: observed } : { kind: 'update', id: recordedId, patch };
  }
  if (input.policy === 'skip') return { kind: 'skipped', group: undefined };
  if (input.creationMode === 'AlwaysCreate') return { kind: 'create' };
  const matches = input.matches;
  if (matches === undefined) return { kind: 'find' };
  if (matches.length > 1) return { kind: 'ambiguous', count: matches.length };
  const [only] = matches;
  return only === undefined ? { kind: 'create' } : { kind: 'adopt', id: only };
}

/** The PATCH body that makes `observed` match `desired`, or undefined when nothing differs. */
export function groupPatch(
  desired: Record<string, unknown>,
  observed: GraphGroup,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const name of patchable) {
    const wanted = desired[name];
    if (wanted === undefined) continue;
    // Graph compares mail nicknames case-insensitively and keeps the casing it was given first.
    const same =
      name === 'mailNickname'
        ? String(observed[name] ?? '').toLowerCase() === String(wanted).toLowerCase()
        : observed[name] === wanted;
    if (!same) patch[name] = wanted;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** The Graph group body of a SecurityGroup spec (ASO's mapping: a security group, not mail-enabled). */
export function desiredGroup(spec: Record<string, unknown>): Record<string, unknown> {
  const nickname = String(spec.mailNickname ?? '');
  const membership = typeof spec.membershipType === 'string' ? spec.membershipType : 'assigned';
  const groupTypes: Record<string, string[]> = {
    assignedm365: ['Unified'],
    dynamic: ['DynamicMembership'],
    dynamicm365: ['Unified', 'DynamicMembership'],
  };
  return {
    displayName: spec.displayName,
    // A full address (group@domain) names the nickname before the @: Graph refuses an @ in a nickname.
    mailNickname: nickname.includes('@') ? nickname.slice(0, nickname.indexOf('@')) : nickname,
    ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
    ...(typeof spec.isAssignableToRole === 'boolean' ? { isAssignableToRole: spec.isAssignableToRole } : {}),
    groupTypes: groupTypes[membership] ?? [],
    mailEnabled: false,
    securityEnabled: true,
  };
}
