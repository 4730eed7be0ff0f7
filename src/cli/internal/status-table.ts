/**
 * The live table `azo dev` shows: every managed object with its Ready condition. Rendering is pure; the poller
 * lists the served kinds through the API server (as any client would) every interval.
 */
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';

/** One managed object as the table shows it. */
export interface StatusRow {
  kind: string;
  namespace: string;
  name: string;
  ready: string;
  reason: string;
  message: string;
  createdAt: string | undefined;
}

/** A kind the table lists: its CRD coordinates. */
export interface ListedKind {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

interface ListedObject {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string };
  status?: { conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
}

/** Lists every object of `kinds` in all namespaces and returns one row each, sorted by kind, namespace, name. */
export async function listStatusRows(kubeConfig: KubeConfig, kinds: ListedKind[]): Promise<StatusRow[]> {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const lists = await Promise.all(
    kinds.map(async (kind) => {
      const list = (await api.listClusterCustomObject({
        group: kind.group,
        version: kind.version,
        plural: kind.plural,
      })) as { items?: ListedObject[] };
      return (list.items ?? []).map((item) => toRow(kind.kind, item));
    }),
  );
  return lists
    .flat()
    .sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`));
}

function toRow(kind: string, item: ListedObject): StatusRow {
  const ready = item.status?.conditions?.find((condition) => condition.type === 'Ready');
  return {
    kind,
    namespace: item.metadata?.namespace ?? '',
    name: item.metadata?.name ?? '',
    ready: ready?.status ?? 'Unknown',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    createdAt: item.metadata?.creationTimestamp,
  };
}

/**
 * Renders rows as an aligned table (KIND/NAME, READY, REASON, AGE), at most `width` characters a line; a width of 0
 * (a terminal that does not report its size) counts as 120.
 */
export function renderStatusTable(rows: StatusRow[], now: Date, width = 120): string[] {
  const limit = width > 0 ? width : 120;
  if (rows.length === 0) return ['no managed objects yet'];
  const cells = rows.map((row) => [
    `${row.kind}/${row.namespace === 'default' ? '' : `${row.namespace}/`}${row.name}`,
    row.ready,
    row.reason,
    formatAge(row.createdAt, now),
  ]);
  const header = ['KIND/NAME', 'READY', 'REASON', 'AGE'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => (cell[column] ?? '').length)),
  );
  const line = (values: string[]) =>
    values
      .map((value, column) => value.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
      .slice(0, limit);
  return [line(header), ...cells.map(line)];
}

/** One plain line per change, for output that is not a terminal. */
export function describeChange(row: StatusRow): string {
  const where = row.namespace === '' ? row.name : `${row.namespace}/${row.name}`;
  const reason = row.reason ? ` ${row.reason}` : '';
  const message = row.message && row.ready !== 'True' ? ` - ${row.message}` : '';
  return `${row.kind} ${where}: Ready=${row.ready}${reason}${message}`;
}

/** Kubernetes-style age: 45s, 3m, 2h5m, 4d. */
export function formatAge(timestamp: string | undefined, now: Date): string {
  if (timestamp === undefined) return '';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d`;
}
