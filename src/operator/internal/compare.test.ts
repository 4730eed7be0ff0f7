import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { SchemaNode } from '../../model/index.js';
import { compareDesired } from './compare.js';

const identityId =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1';
const schema: SchemaNode = {
  type: 'object',
  properties: {
    location: { type: 'string' },
    identity: {
      type: 'object',
      properties: {
        type: { type: 'string', enum: ['UserAssigned'] },
        userAssignedIdentities: { type: 'object', additionalProperties: { type: 'object', properties: {} } },
      },
    },
    properties: {
      type: 'object',
      properties: {
        securityRules: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              properties: { type: 'object', properties: { priority: { type: 'integer' } } },
            },
          },
        },
        dnsServers: { type: 'array', items: { type: 'string' } },
        subnet: { type: 'object', properties: { id: { type: 'string', reference: true } } },
      },
    },
    tags: { type: 'object', additionalProperties: { type: 'string' } },
  },
};
const rule = (name: string, priority: number) => ({ name, properties: { priority } });
const desired = {
  location: 'westus2',
  identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {} } },
  properties: {
    securityRules: [rule('a', 100), rule('b', 200)],
    dnsServers: ['10.0.0.4', '10.0.0.5'],
    subnet: { id: `${identityId}/x` },
  },
  tags: { env: 'dev' },
};

test("Azure's normalizations are not drift: ID case in values and map keys, location spelling, keyed list order", () => {
  const azure = {
    location: 'West US 2',
    identity: {
      type: 'userassigned',
      userAssignedIdentities: {
        [identityId.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')]: { principalId: 'p' },
      },
    },
    properties: {
      securityRules: [
        { ...rule('B', 200), id: 'x', etag: 'e' },
        { ...rule('a', 100), id: 'y' },
      ],
      dnsServers: ['10.0.0.4', '10.0.0.5'],
      subnet: { id: `${identityId}/X`.toLowerCase() },
      provisioningState: 'Succeeded',
    },
    tags: { env: 'dev' },
  };
  assert.deepEqual(compareDesired(desired, azure, schema), { differences: [], writeOnly: [] });
});

test('real drift is found: a keyed item changed, missing or added; an identity removed; a list of strings reordered', () => {
  const changed = structuredClone(desired);
  changed.properties.securityRules = [rule('b', 200), rule('a', 101)];
  assert.deepEqual(compareDesired(desired, changed, schema).differences, [
    'properties.securityRules[name=a].properties.priority',
  ]);
  assert.deepEqual(
    compareDesired(
      desired,
      { ...desired, properties: { ...desired.properties, securityRules: [rule('a', 100), rule('c', 200)] } },
      schema,
    ).differences,
    ['properties.securityRules[name=b]'],
  );
  assert.deepEqual(
    compareDesired(
      desired,
      { ...desired, properties: { ...desired.properties, securityRules: [rule('a', 100)] } },
      schema,
    ).differences,
    ['properties.securityRules'],
    'an item missing',
  );
  assert.deepEqual(
    compareDesired(
      desired,
      {
        ...desired,
        identity: { type: 'UserAssigned', userAssignedIdentities: { [identityId]: {}, [`${identityId}2`]: {} } },
      },
      schema,
    ).differences,
    [`identity.userAssignedIdentities.${identityId}2`],
    'an extra identity in Azure',
  );
  assert.deepEqual(
    compareDesired(
      desired,
      { ...desired, properties: { ...desired.properties, dnsServers: ['10.0.0.5', '10.0.0.4'] } },
      schema,
    ).differences,
    ['properties.dnsServers[0]', 'properties.dnsServers[1]'],
    'order of plain values matters (DNS servers are tried in order)',
  );
  assert.deepEqual(
    compareDesired(desired, { ...desired, tags: { Env: 'dev' } }, schema).differences,
    ['tags.env', 'tags.Env'],
    'tag names are not IDs',
  );
});

test('property: keyed lists compare the same in any order, and with any case of their keys', () => {
  const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), {
    minLength: 1,
    maxLength: 6,
    selector: (name) => name.toLowerCase(),
  });
  fc.assert(
    fc.property(names, fc.integer({ min: 0, max: 1000 }), fc.boolean(), (list, seed, upper) => {
      const items = list.map((name, index) => rule(name, 100 + index));
      const shuffled = [...items]
        .sort((a, b) => ((a.name.charCodeAt(0) * seed) % 7) - ((b.name.charCodeAt(0) * seed) % 7))
        .map((item) => ({ ...item, name: upper ? item.name.toUpperCase() : item.name, id: `/x/${item.name}` }));
      const body = { properties: { securityRules: items } };
      assert.deepEqual(compareDesired(body, { properties: { securityRules: shuffled } }, schema).differences, []);
    }),
  );
});

test("property: Azure's extra fields and server defaults are never drift", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.stringMatching(/^x[a-z]{1,5}$/), fc.jsonValue()), (extra) => {
      const azure = { ...structuredClone(desired), ...extra, properties: { ...desired.properties, ...extra } };
      assert.deepEqual(compareDesired(desired, azure, schema).differences, []);
    }),
  );
});
