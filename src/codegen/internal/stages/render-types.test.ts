import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixtureAfter } from '../testing/fixtures.js';

test('TypeScript declarations per group with Spec, Status and the object type', async () => {
  const state = await fixtureAfter('render-types');
  const text = state.files['types/test.ts'] ?? '';
  assert.match(text, /export interface WidgetSpec \{/);
  assert.match(text, /export interface WidgetStatus \{/);
  assert.match(text, /apiVersion: "test\.azure\.com\/v20240101" \| "test\.azure\.com\/v1api20240101";/);
  assert.match(text, /mode\?: "A" \| "B";/);
  assert.match(text, /tier\?: "A" \| "B";/, 'an extensible enum is as strict as the CRD');
  assert.match(text, /subnetReference\?: ResourceReference;/, 'a shape several kinds use, by its name');
  assert.match(text, /^export interface ResourceReference \{$/m, 'declared in the one group that uses it');
  // Every kind's status has the Ready conditions: the resources and test groups share their shape.
  assert.match(state.files['types/shared.ts'] ?? '', /^export interface Condition \{$/m);
  assert.doesNotMatch(state.files['types/shared.ts'] ?? '', /ResourceReference/);
  assert.match(text, /^import type \{[^}]*\bCondition\b[^}]*\} from '\.\/shared\.js';$/m);
  assert.match(text, /conditions\?: Array<Condition>;/);
  assert.match(state.files['types/index.ts'] ?? '', /export type \* as test from '\.\/test\.js';/);
});
