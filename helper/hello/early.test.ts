/**
 * The entry's hello (./early.ts) is no second schema: whatever it answers, the
 * protocol's zod schemas (Request, HelloParams) accept with the same id, and
 * every doubtful request is passed on to them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HelloParams, Request } from '../../shared/protocol/messages';
import { earlyHello } from './early';

const zodAccepts = (raw: unknown) => {
  const r = Request.safeParse(raw);
  return r.success && r.data.method === 'hello' && HelloParams.safeParse(r.data.params).success ? r.data : undefined;
};

/** requests near a hello: ids, params and extra keys of every kind, through JSON as on the wire */
const nearHello = fc
  .record(
    {
      id: fc.oneof(
        { arbitrary: fc.nat(), weight: 4 },
        { arbitrary: fc.string({ minLength: 1, maxLength: 100 }), weight: 2 },
        fc.integer(),
        fc.double(),
        fc.string({ maxLength: 120 }),
        fc.constant(''),
        fc.constant(null),
        fc.constant(2 ** 53 + 2),
        fc.constant(Number.POSITIVE_INFINITY),
        fc.array(fc.nat(), { maxLength: 2 }),
      ),
      method: fc.oneof({ arbitrary: fc.constant('hello'), weight: 6 }, fc.constant('Hello'), fc.constant('hello '), fc.string({ maxLength: 5 })),
      params: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        fc.constant(null),
        {
          arbitrary: fc.record(
            { client: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 195, maxLength: 205 }), fc.integer(), fc.constant(null)) },
            { requiredKeys: [] },
          ),
          weight: 3,
        },
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
        fc.array(fc.string(), { maxLength: 2 }),
      ),
      extra: fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 }, fc.string({ maxLength: 3 })),
    },
    { requiredKeys: ['method'] },
  )
  .map(({ extra, ...r }) => JSON.parse(JSON.stringify(extra === undefined ? r : { ...r, [extra]: 1 })) as unknown);

test('what the early hello answers, the schemas accept with the same id', () => {
  let answered = 0;
  fc.assert(
    fc.property(nearHello, (raw) => {
      const early = earlyHello(raw);
      if (!early) return;
      answered++;
      const data = zodAccepts(raw);
      assert.ok(data, `early answered a request the schemas refuse: ${JSON.stringify(raw)}`);
      assert.ok('call' in early && early.method === 'hello');
      assert.equal(early.id, data.id);
    }),
    { numRuns: 3000 },
  );
  assert.ok(answered > 100, `the property saw hellos (${answered})`);
});

test('plain hellos are answered early; doubtful ones go to the schemas', () => {
  for (const raw of [
    { id: 1, method: 'hello' },
    { id: 'a', method: 'hello', params: {} },
    { id: 0, method: 'hello', params: { client: 'cli' } },
  ]) {
    assert.ok(earlyHello(raw), JSON.stringify(raw));
    assert.ok(zodAccepts(raw), JSON.stringify(raw));
  }
  const passedOn = [
    { id: 1, method: 'hello', params: { client: 'x', more: 1 } },
    { id: 1, method: 'hello', extra: true },
    { id: -1, method: 'hello' },
    { id: 1.5, method: 'hello' },
    { id: '', method: 'hello' },
    { id: 1, method: 'hello', params: { client: 'x'.repeat(201) } },
    { id: 1, method: 'hello', params: null },
    JSON.parse('{"id":1,"method":"hello","__proto__":{}}'),
    { id: 1, method: 'discover' },
    [1, 'hello'],
    null,
  ];
  for (const raw of passedOn) assert.equal(earlyHello(raw), undefined, JSON.stringify(raw));
});
