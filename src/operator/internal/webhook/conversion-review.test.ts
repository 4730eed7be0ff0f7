import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listKindModels, versionConverter } from '../../../model/index.js';
import { reviewConversion } from './conversion-review.js';

const review = (request: Record<string, unknown>) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'ConversionReview',
  request,
});

test('every served version of every kind converts to every other and back unchanged', async () => {
  const convert = versionConverter();
  for (const model of await listKindModels()) {
    for (const from of model.versions) {
      const object = {
        apiVersion: `${model.group}/${from}`,
        kind: model.kind,
        metadata: { name: 'x', uid: 'u1' },
        // The review's plumbing; what each kind's fields become is versions.test.ts's property.
        spec: {},
      };
      for (const to of model.versions) {
        const answer = await reviewConversion(
          review({ uid: `${from}-${to}`, desiredAPIVersion: `${model.group}/${to}`, objects: [object] }),
          convert,
        );
        assert.equal(answer.response.uid, `${from}-${to}`);
        assert.equal(answer.response.result.status, 'Success', answer.response.result.message);
        const [converted] = answer.response.convertedObjects;
        assert.equal(converted?.['apiVersion'], `${model.group}/${to}`);
        const back = await convert(converted ?? {}, object.apiVersion);
        assert.deepEqual(back, object);
      }
    }
  }
});

test('a review that cannot be answered fails whole, with its uid and a reason', async () => {
  const convert = versionConverter();
  const rg = { apiVersion: 'resources.azure.com/v1api20200601', kind: 'ResourceGroup', metadata: { name: 'rg' } };
  const cases: Array<[unknown, string, RegExp]> = [
    [{ kind: 'Something' }, '', /expected a ConversionReview/],
    [review({ desiredAPIVersion: 'resources.azure.com/v20200601', objects: [] }), '', /request.uid/],
    [review({ uid: 'u', desiredAPIVersion: 'nogroup', objects: [rg] }), 'u', /group\/version/],
    [review({ uid: 'u', desiredAPIVersion: 'resources.azure.com/v20200601', objects: 'x' }), 'u', /must be a list/],
    [
      review({ uid: 'u', desiredAPIVersion: 'resources.azure.com/v99990101', objects: [rg] }),
      'u',
      /no version v99990101/,
    ],
    [review({ uid: 'u', desiredAPIVersion: 'storage.azure.com/v20230101', objects: [rg] }), 'u', /another group/],
    [
      review({
        uid: 'u',
        desiredAPIVersion: 'resources.azure.com/v20200601',
        objects: [rg, { kind: 'Nope', apiVersion: 'resources.azure.com/v1' }],
      }),
      'u',
      /objects\[1\]/,
    ],
  ];
  for (const [input, uid, message] of cases) {
    const answer = await reviewConversion(input, convert);
    assert.equal(answer.response.result.status, 'Failure', JSON.stringify(input));
    assert.equal(answer.response.uid, uid);
    assert.deepEqual(answer.response.convertedObjects, []);
    assert.match(answer.response.result.message ?? '', message);
  }
});
