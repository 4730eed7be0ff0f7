import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { fixtureAfter } from '../testing/fixtures.js';

test('one CRD per kind with both version spellings, status subresource and printer columns', async () => {
  const state = await fixtureAfter('render-crds');
  const text = state.files['crds/widgets.test.azure.com.yaml'];
  assert.ok(text?.startsWith('# Code generated'));
  const crd = parse(text ?? '') as {
    spec: { versions: Array<Record<string, unknown>>; names: Record<string, string> };
  };
  assert.deepEqual(
    crd.spec.versions.map((version) => [version.name, version.storage, version.served]),
    [
      ['v20240101', true, true],
      ['v1api20240101', false, true],
    ],
  );
  assert.deepEqual(crd.spec.versions[0]?.schema, crd.spec.versions[1]?.schema);
  assert.deepEqual(crd.spec.versions[0]?.subresources, { status: {} });
  assert.deepEqual(
    (crd.spec.versions[0]?.additionalPrinterColumns as Array<{ name: string }>).map((column) => column.name),
    ['Ready', 'Severity', 'Reason', 'Message'],
  );
  assert.equal(crd.spec.names.plural, 'widgets');
  assert.ok(state.files['crds/widgetsgadgets.test.azure.com.yaml']);
});
