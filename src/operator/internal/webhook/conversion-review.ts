/**
 * apiextensions.k8s.io/v1 ConversionReview: the request the API server sends a conversion webhook and the response
 * it expects. `reviewConversion` answers one review with a `VersionConverter`; it never throws.
 */
import type { ConvertibleObject, VersionConverter } from '../../../model/index.js';

/** The ConversionReview apiVersion the webhook speaks (the CRDs list it in `conversionReviewVersions`). */
export const conversionReviewApiVersion = 'apiextensions.k8s.io/v1';

/** A ConversionReview response: `result.status` is `Success` with every object converted, or `Failure`. */
export interface ConversionReviewResponse {
  apiVersion: typeof conversionReviewApiVersion;
  kind: 'ConversionReview';
  response: {
    uid: string;
    convertedObjects: ConvertibleObject[];
    result: { status: 'Success' | 'Failure'; message?: string };
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Converts every object of a ConversionReview request to its `desiredAPIVersion`. A malformed review or any object
 * that cannot be converted fails the whole review (`Failure` with the reason, no objects), as Kubernetes requires.
 */
export async function reviewConversion(review: unknown, convert: VersionConverter): Promise<ConversionReviewResponse> {
  const request = isRecord(review) && isRecord(review['request']) ? review['request'] : undefined;
  const uid = typeof request?.['uid'] === 'string' ? request['uid'] : '';
  const fail = (message: string): ConversionReviewResponse => ({
    apiVersion: conversionReviewApiVersion,
    kind: 'ConversionReview',
    response: { uid, convertedObjects: [], result: { status: 'Failure', message } },
  });
  if (
    !isRecord(review) ||
    review['kind'] !== 'ConversionReview' ||
    review['apiVersion'] !== conversionReviewApiVersion
  ) {
    return fail(`expected a ConversionReview of ${conversionReviewApiVersion}`);
  }
  if (request === undefined || uid === '') return fail('the ConversionReview has no request.uid');
  const desired = request['desiredAPIVersion'];
  const objects = request['objects'];
  if (typeof desired !== 'string' || !desired.includes('/'))
    return fail('request.desiredAPIVersion must be group/version');
  if (!Array.isArray(objects)) return fail('request.objects must be a list');
  const convertedObjects: ConvertibleObject[] = [];
  for (const [index, object] of objects.entries()) {
    if (!isRecord(object)) return fail(`request.objects[${index}] is not an object`);
    try {
      convertedObjects.push(await convert(object, desired));
    } catch (error) {
      return fail(`request.objects[${index}]: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    apiVersion: conversionReviewApiVersion,
    kind: 'ConversionReview',
    response: { uid, convertedObjects, result: { status: 'Success' } },
  };
}
