import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { SchemaNode } from '../../model/index.js';
import { stripReadOnly, stripWriteOnly, validateBody } from './validate.js';
import { mergePatch } from './arm.js';

const schema: SchemaNode = {
  type: 'object',
  required: ['location', 'properties'],
  properties: {
    location: { type: 'string' },
    properties: {
      type: 'object',
      properties: {
        mode: { type: 'string', enum: ['Fast', 'Slow'] },
        state: { type: 'string', readOnly: true },
        password: { type: 'string', writeOnly: true },
        source: {
          type: 'object',
          discriminator: {
            property: 'kind',
            variants: {
              Url: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
              Blob: { type: 'object', properties: { container: { type: 'string' } } },
            },
          },
        },
      },
    },
  },
};

describe('validateBody', () => {
  it('accepts enums case-insensitively and ignores read-only input', () => {
    assert.deepEqual(validateBody({ location: 'x', properties: { mode: 'fast', state: 42 } }, schema), []);
  });

  it('reports discriminated unions, required properties and partial bodies', () => {
    assert.deepEqual(
      validateBody({ location: 'x', properties: { source: { kind: 'url' } } }, schema).map((item) => item.target),
      ['properties.source.url'],
    );
    assert.deepEqual(
      validateBody({ location: 'x', properties: { source: { kind: 'Ftp' } } }, schema).map((item) => item.target),
      ['properties.source.kind'],
    );
    assert.deepEqual(
      validateBody({}, schema).map((item) => item.code),
      ['LocationRequired', 'InvalidParameter'],
    );
    assert.deepEqual(
      validateBody({ properties: { mode: 'Medium' } }, schema, { partial: true }).map((item) => item.target),
      ['properties.mode'],
    );
  });

  it('strips read-only input and write-only output', () => {
    const body = {
      location: 'x',
      properties: { state: 'Running', password: 'p', mode: 'Fast', provisioningState: 'Succeeded' },
    };
    assert.deepEqual(stripReadOnly(body, schema), {
      location: 'x',
      properties: { password: 'p', mode: 'Fast', provisioningState: 'Succeeded' },
    });
    assert.deepEqual(stripWriteOnly(body, schema), {
      location: 'x',
      properties: { state: 'Running', mode: 'Fast', provisioningState: 'Succeeded' },
    });
  });
});

describe('mergePatch', () => {
  it('follows RFC 7396', () => {
    assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, f: 4 }, e: [2], g: 'x' }), {
      a: 1,
      b: { d: 3, f: 4 },
      e: [2],
      g: 'x',
    });
  });
});
