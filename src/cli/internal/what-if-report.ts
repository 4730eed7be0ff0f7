/** The text of `azo what-if`: one block per object, then a summary line. */
import type { ObjectPreview } from '../../operator/index.js';

const verbs: Record<ObjectPreview['action'], string> = {
  create: 'create',
  change: 'change',
  none: 'no change',
  blocked: 'cannot reconcile',
  input: 'input',
  unserved: 'not served',
};

/** Renders the previews as text. */
export function renderWhatIf(previews: ObjectPreview[]): string {
  const lines: string[] = [];
  for (const preview of previews) {
    lines.push(`${preview.kind} ${preview.namespace}/${preview.name}: ${verbs[preview.action]}`);
    if (preview.armId !== undefined) lines.push(`  ARM ID     ${preview.armId}`);
    for (const change of preview.changes) {
      lines.push(`  ~ ${change.path}: ${show(change.azure)} → ${show(change.desired)}`);
    }
    if (preview.reason !== undefined) lines.push(`  reason     ${preview.reason}`);
    if (preview.message !== undefined) lines.push(`  note       ${preview.message}`);
    if (preview.policy !== undefined && preview.onDelete !== undefined) {
      lines.push(`  on delete  (reconcile-policy ${preview.policy}) ${preview.onDelete.message}`);
    }
  }
  lines.push('', summaryOf(previews));
  return `${lines.join('\n')}\n`;
}

/** `2 to create, 1 to change, 3 unchanged, 0 blocked`. */
export function summaryOf(previews: ObjectPreview[]): string {
  const count = (action: ObjectPreview['action']) => previews.filter((preview) => preview.action === action).length;
  const parts = [
    `${count('create')} to create`,
    `${count('change')} to change`,
    `${count('none')} unchanged`,
    `${count('blocked')} cannot be reconciled`,
  ];
  const unserved = count('unserved');
  if (unserved > 0) parts.push(`${unserved} not served`);
  return `what-if: ${parts.join(', ')}; nothing was written`;
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
