/**
 * Schema defaults, by field name, so that saving and exporting leave them out
 * (a file says what differs from the defaults, not every `up: true`). The field
 * names are unique enough in the schema that a flat table is exact; see the test.
 */
export const FIELD_DEFAULTS: Readonly<Record<string, unknown>> = {
  metadata: {},
  namespaces: [],
  bridges: [],
  veths: [],
  forwarders: [],
  addresses: [],
  up: true,
  loopback: 'up',
  sysctls: {},
  routes: [],
  nat: [],
  vrfs: [],
  positions: {},
};

/** Records whose keys are data (sysctl names, node ids), not fields: never stripped inside. */
const DATA_RECORDS = new Set(['sysctls', 'positions', 'tables']);

export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function isDefault(key: string, value: unknown): boolean {
  return Object.prototype.hasOwnProperty.call(FIELD_DEFAULTS, key) && sameJson(FIELD_DEFAULTS[key], value);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy of `value` without fields equal to their default and without `undefined`s. */
export function stripDefaults<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripDefaults(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || isDefault(k, v)) continue;
    out[k] = DATA_RECORDS.has(k) ? structuredClone(v) : stripDefaults(v);
  }
  return out as T;
}
