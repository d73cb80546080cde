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

/**
 * Optional fields without a schema default whose empty value means the same as
 * leaving them out. They were added to netns-studio/v1 after its first files
 * (policy routing), so a release from before refuses a file naming them: a file
 * that holds none must not name them, empty, either (why no version bump: ../model/migrations.ts).
 */
const EMPTY_IS_ABSENT = new Set(['rules', 'tables']);

/** Whether `key: value` says nothing a reader needs: a schema default, or an empty field of EMPTY_IS_ABSENT. */
export function saysNothing(key: string, value: unknown): boolean {
  if (isDefault(key, value)) return true;
  if (!EMPTY_IS_ABSENT.has(key)) return false;
  return Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).length === 0;
}

/** A deep copy of `value` without fields equal to their default and without `undefined`s. */
export function stripDefaults<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => stripDefaults(v)) as T;
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || saysNothing(k, v)) continue;
    out[k] = DATA_RECORDS.has(k) ? structuredClone(v) : stripDefaults(v);
  }
  return out as T;
}
