// Pinned sequences: every failure the checker found (in the operator or in the checker's own model), and the
// user stories of the issue "Sound convergence", replayed as they were found. Add one per new failure.
import { commands } from './commands.js';

const {
  Apply,
  ApplyServer,
  RotateSecret,
  ApplyNetwork,
  MetadataOnly,
  Delete,
  DeleteNamespace,
  Restart,
  ChangeThenRestart,
  Drift,
  Latency,
} = commands;

export const regressions = [
  {
    name:
      'a child whose owner never reached Azure is still collected with its owner (owner reference set on first ' +
      'sight)',
    sequence: () => [new Latency(1500), new ApplyNetwork('nsg1', 'put500'), new Delete('vnet1', 'Foreground', 'none')],
  },
  {
    name: 'a new server adopted once its owner appears sends its password once (write-only values on adoption)',
    sequence: () => [
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new ApplyServer('Pa55-one-A', 'none'),
      new Apply('rg1', { policy: 'skip', tags: { env: 'prod' } }, 'putFailed'),
      new DeleteNamespace(),
      new ApplyServer('Pa55-one-A', 'none'),
      new Apply('rg1', { policy: 'Skip', tags: { env: 'dev' } }, 'put400'),
    ],
  },
  {
    name: 'deleting the namespace deletes only the top-level group in Azure, never a child on its own',
    sequence: () => [
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new Apply('sa1', { policy: 'none', tags: {}, tls: 'TLS1_2' }, 'none'),
      new ApplyNetwork('nsg1', 'get429'),
      new DeleteNamespace(),
    ],
  },
  {
    name: 'a rotated Secret reaches Azure',
    sequence: () => [
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new ApplyServer('Pa55-one-A', 'none'),
      new Drift('rg1'),
      new RotateSecret('Pa55-two-B'),
      new Restart(),
      new RotateSecret('Pa55-three-C'),
    ],
  },
  {
    name: 'a misspelled policy writes nothing and deletes nothing',
    sequence: () => [
      new Latency(1500),
      new ApplyNetwork('nsg2', 'put500'),
      new Apply('sa1', { policy: 'Skip', tags: { env: 'dev', team: 'a' } }, 'putFailed'),
      new Apply('rg1', { policy: 'manage', tags: { env: 'prod' } }, 'none'),
      new Delete('sa1', 'Background', 'none'),
      new Apply('rg1', { policy: 'Detach-On-Delete', tags: { env: 'prod' } }, 'none'),
      new Delete('rg1', 'Foreground', 'none'),
    ],
  },
  {
    name:
      'a detach-on-delete group deleted with --cascade=foreground keeps every child in Azure; adopting it again ' +
      'writes nothing',
    sequence: () => [
      new Apply('rg1', { policy: 'detach-on-delete', tags: { env: 'dev' } }, 'none'),
      new Apply('sa1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new ApplyNetwork('nsg2', 'none'),
      new Delete('rg1', 'Foreground', 'none'),
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new Apply('sa1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
    ],
  },
  {
    name: 'removed fields, changed references, exports and labels: only real changes are written',
    sequence: () => [
      new Apply('rg1', { policy: 'none', tags: { env: 'dev', team: 'a' } }, 'none'),
      new Apply('sa1', { policy: 'none', tags: { env: 'dev' }, tls: 'TLS1_2' }, 'none'),
      new Apply('sa1', { policy: 'none', tags: {} }, 'none'),
      new Apply('rg1', { policy: 'none', tags: {} }, 'none'),
      new ApplyNetwork('nsg1', 'none'),
      new ApplyNetwork('nsg2', 'put400'),
      new MetadataOnly('sa1', 'export', 'x'),
      new MetadataOnly('rg1', 'label', 'a'),
      new ChangeThenRestart({ env: 'prod' }),
      new Restart(),
    ],
  },
  {
    name:
      "a fault the checker's own read met first is not a lost resource (checker); a misspelled detach keeps all on " +
      'namespace deletion',
    sequence: () => [
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new ApplyNetwork('nsg1', 'none'),
      new ApplyServer('Pa55-one-A', 'none'),
      new Apply('rg1', { policy: 'Detach-On-Delete', tags: { env: 'dev', team: 'a' } }, 'put400'),
      new DeleteNamespace(),
      new ApplyNetwork('nsg1', 'get429'),
    ],
  },
  {
    name: 'an orphaned child waits for its owner and is adopted when the owner is applied again',
    sequence: () => [
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new Apply('sa1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new Delete('rg1', 'Orphan', 'delete500'),
      new Apply('rg1', { policy: 'none', tags: { env: 'dev' } }, 'none'),
      new Delete('sa1', 'Background', 'none'),
    ],
  },
];
