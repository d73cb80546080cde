/**
 * `netns-studio schema` prints a JSON Schema that editors can use: it accepts the
 * valid fixtures, refuses unknown fields everywhere (additionalProperties: false)
 * and requires apiVersion and kind. Checked with a small validator for exactly the
 * keywords the schema uses (an unknown keyword fails the test, so nothing is
 * silently ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot, runCli } from '../../testing/cli-runner';

type Schema = Record<string, unknown>;
const ANNOTATIONS = new Set(['$schema', 'title', 'description', 'default']);

function typeOk(type: string, v: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    default:
      throw new Error(`validator: unknown type ${type}`);
  }
}

/** Returns the list of problems (empty = valid). */
function check(s: Schema, v: unknown, at = '$'): string[] {
  const out: string[] = [];
  for (const [k, x] of Object.entries(s)) {
    if (ANNOTATIONS.has(k)) continue;
    switch (k) {
      case 'type':
        if (!typeOk(x as string, v)) out.push(`${at}: not ${x}`);
        break;
      case 'anyOf':
        if (!(x as Schema[]).some((alt) => check(alt, v, at).length === 0)) out.push(`${at}: matches none of anyOf`);
        break;
      case 'const':
        if (v !== x) out.push(`${at}: not ${JSON.stringify(x)}`);
        break;
      case 'enum':
        if (!(x as unknown[]).includes(v)) out.push(`${at}: not one of ${JSON.stringify(x)}`);
        break;
      case 'minimum':
        if (typeof v === 'number' && v < (x as number)) out.push(`${at}: < ${x}`);
        break;
      case 'maximum':
        if (typeof v === 'number' && v > (x as number)) out.push(`${at}: > ${x}`);
        break;
      case 'minItems':
        if (Array.isArray(v) && v.length < (x as number)) out.push(`${at}: fewer than ${x} items`);
        break;
      case 'maxItems':
        if (Array.isArray(v) && v.length > (x as number)) out.push(`${at}: more than ${x} items`);
        break;
      case 'required':
        for (const r of x as string[]) if (typeOk('object', v) && !(r in (v as object))) out.push(`${at}: missing ${r}`);
        break;
      case 'properties':
        if (typeOk('object', v))
          for (const [p, ps] of Object.entries(x as Record<string, Schema>))
            if (p in (v as object)) out.push(...check(ps, (v as Record<string, unknown>)[p], `${at}.${p}`));
        break;
      case 'additionalProperties':
        if (typeOk('object', v)) {
          const known = Object.keys((s.properties as object) ?? {});
          for (const [p, pv] of Object.entries(v as object)) {
            if (known.includes(p)) continue;
            if (x === false) out.push(`${at}: unknown property ${p}`);
            else out.push(...check(x as Schema, pv, `${at}.${p}`));
          }
        }
        break;
      case 'propertyNames':
        if (typeOk('object', v)) for (const p of Object.keys(v as object)) out.push(...check(x as Schema, p, `${at}[${p}]`));
        break;
      case 'items':
        if (Array.isArray(v))
          v.forEach((item, i) => {
            if (!s.prefixItems || i >= (s.prefixItems as unknown[]).length) out.push(...check(x as Schema, item, `${at}[${i}]`));
          });
        break;
      case 'prefixItems':
        if (Array.isArray(v))
          (x as Schema[]).forEach((ps, i) => {
            if (i < v.length) out.push(...check(ps, v[i], `${at}[${i}]`));
          });
        break;
      default:
        throw new Error(`validator: keyword ${k} not supported; extend the test`);
    }
  }
  return out;
}

const cli = runCli(['schema']);
const schema = JSON.parse(cli.stdout) as Schema;

test('schema prints JSON Schema 2020-12 with the header required', () => {
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual([...(schema.required as string[])].sort(), ['apiVersion', 'kind']);
  assert.deepEqual((schema.properties as Record<string, Schema>).apiVersion.const, 'netns-studio/v1');
});

test('every object in the schema refuses unknown fields', () => {
  const objects: string[] = [];
  const walk = (s: unknown, at: string) => {
    if (!s || typeof s !== 'object') return;
    const o = s as Schema;
    if (o.type === 'object' && o.properties) {
      objects.push(at);
      assert.equal(o.additionalProperties, false, `${at} allows unknown fields`);
    }
    for (const [k, v] of Object.entries(o)) if (typeof v === 'object') walk(v, `${at}/${k}`);
  };
  walk(schema, '#');
  assert.ok(objects.length >= 12, `only ${objects.length} object schemas`);
});

test('the valid fixtures satisfy the JSON Schema; broken structure does not', () => {
  const dir = join(projectRoot, 'fixtures', 'valid');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const data = parse(readFileSync(join(dir, f), 'utf8'));
    if (data.apiVersion !== 'netns-studio/v1') continue; // old versions are migrated by the loader, not by editors
    assert.deepEqual(check(schema, data), [], f);
  }
  const bad = parse(readFileSync(join(projectRoot, 'fixtures', 'invalid', 'schema-unknown-field.yaml'), 'utf8'));
  assert.deepEqual(check(schema, bad), ['$.veths[0].ends[0]: unknown property adresses']);
  assert.deepEqual(check(schema, { kind: 'Topology' }), ['$: missing apiVersion']);
  assert.ok(check(schema, { apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: 'a', sysctls: { 'net.bogus': '1' } }] }).length > 0);
});

test('schema --help', () => {
  const r = runCli(['schema', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: netns-studio schema/);
});
