/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) for the built-in kinds
 * kubectl 1.30+ sends that way (`kubectl create namespace|configmap|secret|serviceaccount`, DeleteOptions,
 * `kubectl auth can-i|whoami`).
 * Only decoding: responses are always JSON. Unknown kinds → undefined (the caller answers 415).
 */

type FieldType = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'microtime' | 'message' | 'map' | 'bytesmap';
interface Field {
  name: string;
  type: FieldType;
  repeated?: boolean;
  message?: Descriptor;
}
type Descriptor = Record<number, Field>;

const ownerReference: Descriptor = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};

const objectMeta: Descriptor = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'generation', type: 'int' },
  8: { name: 'creationTimestamp', type: 'time' },
  9: { name: 'deletionTimestamp', type: 'time' },
  10: { name: 'deletionGracePeriodSeconds', type: 'int' },
  11: { name: 'labels', type: 'map' },
  12: { name: 'annotations', type: 'map' },
  13: { name: 'ownerReferences', type: 'message', repeated: true, message: ownerReference },
  14: { name: 'finalizers', type: 'string', repeated: true },
};

const localObjectReference: Descriptor = { 1: { name: 'name', type: 'string' } };
const objectReference: Descriptor = {
  1: { name: 'kind', type: 'string' },
  2: { name: 'namespace', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  7: { name: 'fieldPath', type: 'string' },
};

const kinds: Record<string, Descriptor> = {
  'v1/Namespace': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'spec', type: 'message', message: { 1: { name: 'finalizers', type: 'string', repeated: true } } },
  },
  'v1/ConfigMap': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'data', type: 'map' },
    3: { name: 'binaryData', type: 'bytesmap' },
    4: { name: 'immutable', type: 'bool' },
  },
  'v1/Secret': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'data', type: 'bytesmap' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map' },
    5: { name: 'immutable', type: 'bool' },
  },
  'v1/ServiceAccount': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: { name: 'secrets', type: 'message', repeated: true, message: objectReference },
    3: { name: 'imagePullSecrets', type: 'message', repeated: true, message: localObjectReference },
    4: { name: 'automountServiceAccountToken', type: 'bool' },
  },
  'coordination.k8s.io/v1/Lease': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: { name: 'holderIdentity', type: 'string' },
        2: { name: 'leaseDurationSeconds', type: 'int' },
        3: { name: 'acquireTime', type: 'microtime' },
        4: { name: 'renewTime', type: 'microtime' },
        5: { name: 'leaseTransitions', type: 'int' },
        6: { name: 'strategy', type: 'string' },
        7: { name: 'preferredHolder', type: 'string' },
      },
    },
  },
  'meta.k8s.io/v1/DeleteOptions': {
    1: { name: 'gracePeriodSeconds', type: 'int' },
    2: {
      name: 'preconditions',
      type: 'message',
      message: { 1: { name: 'uid', type: 'string' }, 2: { name: 'resourceVersion', type: 'string' } },
    },
    3: { name: 'orphanDependents', type: 'bool' },
    4: { name: 'propagationPolicy', type: 'string' },
    5: { name: 'dryRun', type: 'string', repeated: true },
  },
  // kubectl auth can-i / auth whoami.
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
    2: {
      name: 'spec',
      type: 'message',
      message: {
        1: {
          name: 'resourceAttributes',
          type: 'message',
          message: {
            1: { name: 'namespace', type: 'string' },
            2: { name: 'verb', type: 'string' },
            3: { name: 'group', type: 'string' },
            4: { name: 'version', type: 'string' },
            5: { name: 'resource', type: 'string' },
            6: { name: 'subresource', type: 'string' },
            7: { name: 'name', type: 'string' },
          },
        },
        2: {
          name: 'nonResourceAttributes',
          type: 'message',
          message: { 1: { name: 'path', type: 'string' }, 2: { name: 'verb', type: 'string' } },
        },
      },
    },
  },
  'authentication.k8s.io/v1/SelfSubjectReview': {
    1: { name: 'metadata', type: 'message', message: objectMeta },
  },
};
kinds['v1/DeleteOptions'] = kinds['meta.k8s.io/v1/DeleteOptions'] ?? {};
for (const version of ['v1beta1', 'v1alpha1'])
  kinds[`authentication.k8s.io/${version}/SelfSubjectReview`] =
    kinds['authentication.k8s.io/v1/SelfSubjectReview'] ?? {};

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  position = 0;
  constructor(private readonly buffer: Buffer) {}
  get done(): boolean {
    return this.position >= this.buffer.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buffer[this.position];
      if (byte === undefined) throw new Error('truncated protobuf varint');
      this.position += 1;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const length = Number(this.varint());
    const end = this.position + length;
    if (end > this.buffer.length) throw new Error('truncated protobuf field');
    const slice = this.buffer.subarray(this.position, end);
    this.position = end;
    return slice;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.position += 4;
    else throw new Error(`unsupported protobuf wire type ${wireType}`);
  }
}

function fields(buffer: Buffer): Array<{ number: number; wireType: number; value: bigint | Buffer }> {
  const reader = new Reader(buffer);
  const result: Array<{ number: number; wireType: number; value: bigint | Buffer }> = [];
  while (!reader.done) {
    const key = Number(reader.varint());
    const number = key >> 3;
    const wireType = key & 7;
    if (wireType === 0) result.push({ number, wireType, value: reader.varint() });
    else if (wireType === 2) result.push({ number, wireType, value: reader.bytes() });
    else reader.skip(wireType);
  }
  return result;
}

function toSigned(value: bigint): number {
  return Number(BigInt.asIntN(64, value));
}

function decodeTime(buffer: Buffer, micro: boolean): string {
  let seconds = 0;
  let nanos = 0;
  for (const field of fields(buffer)) {
    if (field.number === 1 && typeof field.value === 'bigint') seconds = toSigned(field.value);
    if (field.number === 2 && typeof field.value === 'bigint') nanos = toSigned(field.value);
  }
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function decodeMessage(buffer: Buffer, descriptor: Descriptor): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const field of fields(buffer)) {
    const spec = descriptor[field.number];
    if (!spec) continue;
    let value: unknown;
    const raw = field.value;
    switch (spec.type) {
      case 'string':
        // Go's generated marshallers write empty strings; JSON omits them.
        value = Buffer.isBuffer(raw) && raw.length > 0 ? raw.toString('utf8') : undefined;
        break;
      case 'bytes':
        value = Buffer.isBuffer(raw) ? raw.toString('base64') : undefined;
        break;
      case 'int':
        value = typeof raw === 'bigint' ? toSigned(raw) : undefined;
        break;
      case 'bool':
        value = typeof raw === 'bigint' ? raw !== 0n : undefined;
        break;
      case 'time':
      case 'microtime':
        value = Buffer.isBuffer(raw) ? decodeTime(raw, spec.type === 'microtime') : undefined;
        break;
      case 'message':
        value = Buffer.isBuffer(raw) && spec.message ? decodeMessage(raw, spec.message) : undefined;
        break;
      case 'map':
      case 'bytesmap': {
        if (!Buffer.isBuffer(raw)) break;
        let key = '';
        let entry: string = '';
        for (const part of fields(raw)) {
          if (!Buffer.isBuffer(part.value)) continue;
          if (part.number === 1) key = part.value.toString('utf8');
          if (part.number === 2)
            entry = spec.type === 'map' ? part.value.toString('utf8') : part.value.toString('base64');
        }
        const map = (object[spec.name] as Record<string, string> | undefined) ?? {};
        map[key] = entry;
        object[spec.name] = map;
        continue;
      }
    }
    if (value === undefined) continue;
    if (spec.repeated)
      ((object[spec.name] as unknown[] | undefined) ?? ((object[spec.name] = [] as unknown[]) as unknown[])).push(
        value,
      );
    else object[spec.name] = value;
  }
  return object;
}

/**
 * Decodes a Kubernetes protobuf body (magic "k8s\0" + runtime.Unknown) into a JSON object, or returns undefined
 * when the kind is not one this server decodes. Throws Error on malformed input.
 */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> | undefined {
  if (body.length < 4 || !body.subarray(0, 4).equals(magic))
    throw new Error('protobuf body does not start with the Kubernetes magic number');
  let apiVersion = '';
  let kind = '';
  let raw: Buffer | undefined;
  for (const field of fields(body.subarray(4))) {
    if (field.number === 1 && Buffer.isBuffer(field.value)) {
      for (const part of fields(field.value)) {
        if (part.number === 1 && Buffer.isBuffer(part.value)) apiVersion = part.value.toString('utf8');
        if (part.number === 2 && Buffer.isBuffer(part.value)) kind = part.value.toString('utf8');
      }
    }
    if (field.number === 2 && Buffer.isBuffer(field.value)) raw = field.value;
  }
  const descriptor = kinds[`${apiVersion}/${kind}`];
  if (!descriptor) return undefined;
  return { apiVersion, kind, ...decodeMessage(raw ?? Buffer.alloc(0), descriptor) };
}
