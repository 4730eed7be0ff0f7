/**
 * The OpenAPI `format`s Kubernetes checks for CRD values (go-openapi strfmt plus number ranges). A format not listed
 * here is ignored, as Kubernetes ignores unknown formats. Each check returns true when the value is acceptable.
 */
import { isIP, isIPv4, isIPv6 } from 'node:net';

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTimeRe = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const emailRe = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;
const hostnameLabelRe = /^[a-zA-Z0-9\p{L}\p{S}]([a-zA-Z0-9\p{L}\p{S}-]{0,61}[a-zA-Z0-9\p{L}\p{S}])?$/u;
const goDurationRe = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/;
const unitDurationRe =
  /^[-+]?(\d+)\s*(ns|nanoseconds?|us|µs|microseconds?|ms|milliseconds?|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|wk|weeks?)$/;
const macRe = [
  /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/,
  /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){6}$/,
  /^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){18}$/,
  /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/,
  /^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4}){3}$/,
  /^[0-9a-fA-F]{4}(\.[0-9a-fA-F]{4}){9}$/,
];

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

function isDate(value: string): boolean {
  const match = dateRe.exec(value);
  return match !== null && validDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

function isDateTime(value: string): boolean {
  const match = dateTimeRe.exec(value);
  if (match === null) return false;
  if (!validDate(Number(match[1]), Number(match[2]), Number(match[3]))) return false;
  return Number(match[4]) < 24 && Number(match[5]) < 60 && Number(match[6]) < 61;
}

function isByte(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  return /^[A-Za-z0-9+/]*={0,2}$/.test(value);
}

function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 255) return false;
  const labels = value.endsWith('.') ? value.slice(0, -1).split('.') : value.split('.');
  return labels.every((label) => hostnameLabelRe.test(label));
}

function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const family = isIP(address);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

function isUri(value: string): boolean {
  // go-openapi accepts whatever Go's url.Parse accepts: no spaces or control characters, well-formed % escapes.
  if (value.length === 0 || /\s/.test(value)) return false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return !/%(?![0-9a-fA-F]{2})/.test(value);
}

const stringFormats: Record<string, (value: string) => boolean> = {
  byte: isByte,
  date: isDate,
  'date-time': isDateTime,
  datetime: isDateTime,
  duration: (value) => goDurationRe.test(value) || unitDurationRe.test(value) || value === '0',
  uuid: (value) => uuidRe.test(value),
  uuid3: (value) => uuidRe.test(value),
  uuid4: (value) => uuidRe.test(value),
  uuid5: (value) => uuidRe.test(value),
  email: (value) => emailRe.test(value),
  hostname: isHostname,
  ipv4: (value) => isIPv4(value),
  ipv6: (value) => isIPv6(value),
  cidr: isCidr,
  mac: (value) => macRe.some((re) => re.test(value)),
  uri: isUri,
};

const numberFormats: Record<string, (value: number) => boolean> = {
  int32: (value) => Number.isInteger(value) && value >= -2147483648 && value <= 2147483647,
  int64: (value) => Number.isInteger(value),
  float: (value) => Number.isFinite(value) && Math.abs(value) <= 3.4028234663852886e38,
  double: (value) => Number.isFinite(value),
};

/** Checks a value against a format. Returns true for unknown formats and for values the format does not apply to. */
export function matchesFormat(format: string, value: unknown): boolean {
  if (typeof value === 'string') {
    const check = stringFormats[format];
    return check === undefined ? true : check(value);
  }
  if (typeof value === 'number') {
    const check = numberFormats[format];
    return check === undefined ? true : check(value);
  }
  return true;
}

/** The formats this server checks (others are accepted and ignored). */
export const knownFormats: readonly string[] = [...Object.keys(stringFormats), ...Object.keys(numberFormats)];
