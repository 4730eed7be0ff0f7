import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armTypeOf, asoKindVersions, expandAsoKinds, hubVersionOf, nearestVersion } from './aso-kinds.js';

const index = {
  'Microsoft.DocumentDB/databaseAccounts': { '2021-05-15': 'a.json', '2024-08-15': 'b.json' },
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers': { '2024-08-15': 'b.json' },
  'Microsoft.Insights/autoscalesettings': { '2022-10-01': 'c.json' },
  'Microsoft.Network/dnsForwardingRulesets': { '2022-07-01': 'd.json' },
  'Microsoft.Cache/redis/firewallRules': { '2024-11-01': 'e.json' },
  'Microsoft.Network/FrontDoorWebApplicationFirewallPolicies': { '2022-05-01': 'f.json' },
};
const armTypes = Object.keys(index);

test("ASO's singular Go names find the plural ARM types of the group's provider", () => {
  assert.equal(
    armTypeOf('documentdb', 'DatabaseAccounts_SqlDatabases_Container', armTypes),
    'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
  );
  assert.equal(armTypeOf('insights', 'Autoscalesetting', armTypes), 'Microsoft.Insights/autoscalesettings');
  assert.equal(armTypeOf('network', 'DnsForwardingRuleSet', armTypes), 'Microsoft.Network/dnsForwardingRulesets');
  assert.equal(armTypeOf('cache', 'Redis_FirewallRule', armTypes), 'Microsoft.Cache/redis/firewallRules');
  assert.equal(
    armTypeOf('network.frontdoor', 'FrontDoorWebApplicationFirewallPolicy', armTypes),
    'Microsoft.Network/FrontDoorWebApplicationFirewallPolicies',
  );
  assert.equal(armTypeOf('documentdb', 'DatabaseAccounts_SqlDatabase', armTypes), undefined);
});

test('the nearest index version serves a version the index lacks; the hub is the newest GA version', () => {
  assert.equal(nearestVersion('2023-11-15', ['2021-05-15', '2024-08-15']), '2024-08-15');
  assert.equal(nearestVersion('2022-01-01', ['2021-05-15', '2024-08-15']), '2021-05-15');
  assert.equal(hubVersionOf(['2023-05-01-preview', '2022-08-01', '2021-01-01']), '2022-08-01');
  assert.equal(hubVersionOf(['2023-05-01-preview', '2022-05-01-preview']), '2023-05-01-preview');
});

test('every $supportedFrom type is a kind-version; non-ARM kinds and unmatched types are listed as not served', () => {
  const asoConfig = {
    objectModelConfiguration: {
      documentdb: {
        '2021-05-15': {
          DatabaseAccount: { $exportAs: 'DatabaseAccount', $supportedFrom: 'v2.0.0' },
          Other: { $isResource: false },
        },
        '2023-11-15': {
          DatabaseAccount: { $exportAs: 'DatabaseAccount', $supportedFrom: 'v2.5.0' },
          DatabaseAccounts_Nothing: { $exportAs: 'Nothing', $supportedFrom: 'v2.5.0' },
        },
      },
      entra: { v1: { SecurityGroup: { $supportedFrom: 'v2.13.0' } } },
    },
  };
  assert.equal(asoKindVersions(asoConfig).length, 4);
  const { kinds, unserved } = expandAsoKinds(asoConfig, index, [], {
    'documentdb/DatabaseAccount': { reason: 'test' },
  });
  assert.deepEqual(
    kinds.map((kind) => [kind.kind, kind.apiVersion, kind.schemaApiVersion, kind.override?.reason]),
    [
      ['DatabaseAccount', '2021-05-15', undefined, 'test'],
      ['DatabaseAccount', '2023-11-15', '2024-08-15', 'test'],
    ],
  );
  assert.deepEqual(
    unserved.map((entry) => entry.kind),
    ['Nothing', 'SecurityGroup'],
  );
});

test('a version `groups` adds that the index lacks is served with the nearest schema', () => {
  const explicit = [
    {
      group: 'cache',
      kind: 'RedisFirewallRule',
      armType: 'Microsoft.Cache/redis/firewallRules',
      apiVersion: '2025-06-01',
    },
    {
      group: 'cache',
      kind: 'RedisFirewallRule',
      armType: 'Microsoft.Cache/redis/firewallRules',
      apiVersion: '2024-11-01',
    },
  ];
  const { kinds } = expandAsoKinds({ objectModelConfiguration: {} }, index, explicit);
  assert.deepEqual(
    kinds.map((kind) => kind.schemaApiVersion),
    ['2024-11-01', undefined],
  );
});
