import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUsablePattern, pluralOf, toJsonSchema } from './crd.js';

test('schema nodes become JSONSchemaProps with enums, bounds and patterns', () => {
  assert.deepEqual(
    toJsonSchema({ type: 'string', enum: ['A'], pattern: '^a$', minLength: 1, maxLength: 3, description: 'd' }, true),
    { description: 'd', type: 'string', enum: ['A'], pattern: '^a$', minLength: 1, maxLength: 3 },
  );
  assert.deepEqual(toJsonSchema({ type: 'integer', minimum: 1, maximum: 9, description: 'd' }, false), {
    type: 'integer',
    minimum: 1,
    maximum: 9,
  });
  assert.deepEqual(toJsonSchema({ type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 }, true), {
    type: 'array',
    minItems: 1,
    maxItems: 2,
    items: { type: 'string' },
  });
  assert.deepEqual(toJsonSchema({ type: 'string', pattern: '^[\\p{L}]+$' }, true).pattern, '^[\\p{L}]+$');
  assert.equal(
    toJsonSchema({ type: 'string', pattern: '^[a-z]+(?<!-)$' }, true).pattern,
    undefined,
    'no lookbehind: RE2 lacks it',
  );
  assert.equal(isUsablePattern('^(-(?!-))$'), false);
  assert.equal(isUsablePattern('^(a)\\1$'), false);
  assert.equal(isUsablePattern('^\\(?!x$'), true, 'an escaped parenthesis is no lookahead');
  assert.equal(isUsablePattern('^[(?!]+$'), true, 'inside a class');
  assert.equal(
    toJsonSchema({ type: 'string', pattern: '^[a-z]{1,3$' }, true).pattern,
    undefined,
    'unusable patterns are dropped',
  );
  assert.ok(!isUsablePattern('(?i)abc'));
});

test('preserve-unknown-fields only for ARM any; properties beat additionalProperties', () => {
  assert.deepEqual(toJsonSchema({ type: 'any' }, true), { 'x-kubernetes-preserve-unknown-fields': true });
  assert.deepEqual(toJsonSchema({ type: 'object', additionalProperties: { type: 'string' } }, true), {
    type: 'object',
    additionalProperties: { type: 'string' },
  });
  assert.deepEqual(
    toJsonSchema(
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      true,
    ),
    { type: 'object', properties: { a: { type: 'string' } } },
  );
  assert.deepEqual(
    toJsonSchema(
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'any' } },
      true,
    ),
    { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-preserve-unknown-fields': true },
  );
  assert.deepEqual(
    toJsonSchema(
      {
        type: 'object',
        properties: { a: { type: 'object', properties: { b: { type: 'boolean' } } } },
        required: ['a'],
      },
      true,
    ),
    { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'boolean' } } } }, required: ['a'] },
  );
});

test('plurals as kubebuilder spells them', () => {
  assert.equal(pluralOf('StorageAccount'), 'storageaccounts');
  assert.equal(pluralOf('Registry'), 'registries');
  assert.equal(pluralOf('PublicIPAddress'), 'publicipaddresses');
  assert.equal(pluralOf('Redis'), 'redis');
  assert.equal(
    pluralOf('FlexibleServersAdvancedThreatProtectionSettings'),
    'flexibleserversadvancedthreatprotectionsettings',
  );
  assert.equal(pluralOf('StorageAccountsManagementPolicy'), 'storageaccountsmanagementpolicies');
});
