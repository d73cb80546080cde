/**
 * The shell exporter beyond what testing/scenarios.test.ts checks (scenarios: the
 * script builds what the reference builds, runs twice, tears down to the start, VRF
 * refused): its text (sections, a reason per step, the fast forms) and, on the real
 * kernel, the paths a clean run does not take — a namespace that already exists is
 * checked step by step, and a default route the topology did not make stops the
 * script with a clear message instead of being replaced.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { renderShellScript, scriptSteps } from './shell';
import type { ExternalRef } from '../model/external';
import { opArgv } from '../plan/render';
import { simulate } from '../plan/simulate';
import { fromTopology } from '../plan/state';
import { kernelOf, runSteps, snapshot } from '../../testing/kernel-model';
import { document } from '../../testing/arbitrary-topology';
import { API_VERSION, KIND, Topology, type TopologyInput } from '../model/schema';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { startHolder } from '../../testing/ns-holders';

/** host bridge br0 and namespaces on it, each with an address and a default route */
function star(names: string[]): TopologyInput {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    namespaces: [{ name: 'host' }, ...names.map((name) => ({ name, routes: [{ to: 'default', via: '10.9.0.1' }] }))],
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['10.9.0.1/24'] }],
    veths: names.map((name, i) => ({
      ends: [
        { namespace: name, name: 'eth0', addresses: [`10.9.0.${i + 2}/24`] },
        { namespace: 'host', name: `v${i}`, master: 'br0' },
      ],
    })),
  } as TopologyInput;
}

const lines = (text: string, from: string, to: string) => text.slice(text.indexOf(from), text.indexOf(to)).split('\n');

describe('shell exporter: the text', () => {
  const doc = Topology.parse(star(['a', 'b']));
  const text = renderShellScript(doc);

  it('is deterministic', () => {
    assert.equal(renderShellScript(Topology.parse(star(['a', 'b']))), text);
  });

  it('has one section per namespace, and a reason above every step', () => {
    const setup = lines(text, 'setup() {', 'teardown() {');
    assert.deepEqual(
      setup.filter((l) => l.includes('# ----')).map((l) => l.trim()),
      ['# ---- host (root namespace) ----', '# ---- namespace a ----', '# ---- namespace b ----'],
    );
    setup.forEach((l, i) => {
      if (/^\s+(ipq|run|netns_add|have|has_link|\[ -e|if )/.test(l)) assert.match(setup[i - 1], /^\s+# \S/, `no reason above: ${l}`);
    });
  });

  it('checks without a process where it can, and queues ip commands for one batch per section', () => {
    assert.match(text, /\[ -e \/run\/netns\/a \] \|\| netns_add a/);
    assert.match(text, /has_link v0 \|\| ipq link add name v0 type veth peer name eth0 netns a/);
    assert.match(text, /have route show exact default via 10\.9\.0\.1 \|\| ipq route add default via 10\.9\.0\.1/);
    // setting a link up is its own check
    assert.match(text, /\n {2}ipq link set dev eth0 up\n/);
    assert.doesNotMatch(text, /shows ip /);
  });

  it('checks a policy rule by what `ip rule show` prints (it succeeds printing nothing), IPv4 and IPv6', () => {
    const withRules = Topology.parse({
      ...star(['a']),
      namespaces: [
        { name: 'host' },
        {
          name: 'a',
          rules: [
            { priority: 100, from: '10.9.0.0/24', table: 101 },
            { priority: 101, from: '2001:db8::/64', table: 101 },
            { priority: 90, to: '10.66.0.0/16', action: 'blackhole' },
          ],
        },
      ],
    });
    const out = renderShellScript(withRules);
    const checks = out.split('\n').filter((l) => / rule add /.test(l));
    assert.equal(checks.length, 3, out);
    for (const l of checks) assert.match(l, /^\s*have (-6 )?rule show priority \d+ .*\|\| /, l);
    assert.doesNotMatch(out, /quiet .*\bip\b.* show /, 'a `quiet ip … show` check always holds');
  });

  it('teardown deletes namespaces and waits for their veth pairs instead of deleting each', () => {
    const down = lines(text, 'teardown() {', 'case ');
    assert.ok(!down.some((l) => /link del dev v\d/.test(l)));
    assert.ok(down.some((l) => l.includes('if [ -e /run/netns/a ]; then netns_del a v0; fi')));
    assert.ok(down.some((l) => l.trim() === 'wait_leaving'));
  });
});

const skip = kernelSkipReason();
if (skip) console.log(`skipping the shell exporter's kernel tests: ${skip}`);

/** `doc` with the namespaces `pick` marks made external (by PID: the models do not look the process up) */
function withExternals(doc: Topology, pick: boolean[]): Topology {
  return {
    ...doc,
    namespaces: doc.namespaces.map((n, i) => (n.name !== 'host' && pick[i % pick.length] ? { ...n, external: { pid: 1000 + i } } : n)),
  };
}

describe('shell exporter: external namespaces as typed steps', () => {
  const doc = (external: ExternalRef) =>
    Topology.parse({
      ...star(['box']),
      namespaces: [{ name: 'host' }, { name: 'box', external, routes: [{ to: 'default', via: '10.9.0.1' }] }],
    });

  it('attaches first and takes the name away last, each a netns.attach / netns.detach step rendered from its argv', () => {
    for (const [external, argv, file] of [
      [{ pid: 4242 }, 'ip netns attach box 4242', '/proc/4242/ns/net'],
      [{ path: '/run/docker/netns/abc' }, 'netns_bind box /run/docker/netns/abc', '/run/docker/netns/abc'],
      [{ container: 'web' }, 'netns_attach_container box web', '"$(container_netns web)"'],
    ] as const) {
      const { setup, teardown } = scriptSteps(doc(external));
      assert.deepEqual(
        [setup[0].op, setup.at(-1)!.op],
        [
          { op: 'netns.attach', name: 'box', ref: external },
          { op: 'netns.detach', name: 'box' },
        ],
      );
      assert.deepEqual(
        [teardown[0].op, teardown.at(-1)!.op],
        [
          { op: 'netns.attach', name: 'box', ref: external, goneOk: true },
          { op: 'netns.detach', name: 'box' },
        ],
      );
      assert.ok(!setup.some((s) => s.op.op === 'netns.add') && !teardown.some((s) => s.op.op === 'netns.del'), 'never made or deleted');
      assert.deepEqual(opArgv({ op: 'netns.detach', name: 'box' }), ['ip', 'netns', 'del', 'box']);
      const text = renderShellScript(doc(external));
      const what = Object.entries(external)[0].join(' ');
      assert.ok(text.includes(`netns_attach box '${what}' ${file} '' ${argv}\n`), `setup attaches with ${argv}`);
      assert.ok(text.includes(`netns_attach box '${what}' ${file} gone-ok ${argv}\n`), `teardown attaches with ${argv}, skipping a gone one`);
      assert.equal(text.split('netns_detach box ip netns del box\n').length, 3, 'setup and teardown each take the name away');
    }
  });

  it("setup then teardown, on the planner's model and on the independent one: both agree, and teardown leaves the host as it found it", () => {
    const start = fromTopology(Topology.parse({ apiVersion: API_VERSION, kind: KIND, namespaces: [{ name: 'host' }] }));
    let externals = 0;
    fc.assert(
      fc.property(document, fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), (d, pick) => {
        const doc = withExternals(d, pick);
        externals += doc.namespaces.filter((n) => n.external).length;
        const { setup, teardown } = scriptSteps(doc);
        const planner = simulate(setup, start);
        const model = runSteps(kernelOf(start), setup);
        assert.deepEqual(snapshot(model, { lo127: false }), snapshot(kernelOf(planner), { lo127: false }), 'after setup');
        for (const n of doc.namespaces) if (n.external) assert.ok(!model.netns.has(n.name), `${n.name}: its name is taken away after setup`);
        const down = simulate(teardown, planner);
        runSteps(model, teardown);
        assert.deepEqual(snapshot(model, { lo127: false }), snapshot(kernelOf(down), { lo127: false }), 'after teardown');
        assert.deepEqual(snapshot(model, { lo127: false }), snapshot(kernelOf(start), { lo127: false }), 'teardown ends where setup began');
      }),
      { numRuns: Number(process.env.PLAN_PROPERTY_RUNS ?? 200) },
    );
    assert.ok(externals > 0, 'some documents had external namespaces');
  });
});

describe('shell exporter: on the kernel', { skip }, () => {
  async function withScript(sb: Sandbox, doc: TopologyInput, f: (run: (arg: string) => ReturnType<Sandbox['inHost']>) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), 'nss-shell-test-'));
    try {
      const path = join(dir, 'topology.sh');
      writeFileSync(path, renderShellScript(Topology.parse(doc)));
      await f((arg) => sb.inHost(['bash', path, arg]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('completes a namespace that already exists, checking each step, and runs again changing nothing', async () => {
    await withSandbox('shx', async (sb) => {
      const [a, b] = [sb.ns('a'), sb.ns('b')];
      // a exists and already has its loopback up: the script must not take it for fresh
      assert.equal((await sb.inHost(['ip', 'netns', 'add', a])).code, 0);
      assert.equal((await sb.inNs('a', ['ip', 'link', 'set', 'dev', 'lo', 'up'])).code, 0);
      await withScript(sb, star([a, b]), async (run) => {
        const up = await run('up');
        assert.equal(up.code, 0, up.stderr);
        for (const n of ['a', 'b']) {
          const r = await sb.inNs(n, ['ip', 'route', 'show', 'default']);
          assert.match(r.stdout, /default via 10\.9\.0\.1 dev eth0/);
        }
        const ping = await sb.inNs('a', ['ping', '-c1', '-W2', '10.9.0.3']);
        assert.equal(ping.code, 0, `a cannot reach b: ${ping.stdout}${ping.stderr}`);
        const again = await run('up');
        assert.equal(again.code, 0, again.stderr);
        const down = await run('down');
        assert.equal(down.code, 0, down.stderr);
        const left = await sb.inHost(['ip', '-br', 'link', 'show']);
        assert.doesNotMatch(left.stdout, /^(v0|v1|br0)[@ ]/m);
      });
    });
  });

  it('runs one by one, quoted, what `ip -batch` could misread (a namespace name with # and quotes)', async () => {
    await withSandbox('shz', async (sb) => {
      const odd = sb.ns(`q#'"1`);
      await withScript(sb, star([odd]), async (run) => {
        const text = renderShellScript(Topology.parse(star([odd])));
        assert.ok(text.includes(`run ip link add name v0 type veth peer name eth0 netns '${odd.replaceAll("'", `'\\''`)}'`));
        for (const arg of ['up', 'up', 'down']) {
          const r = await run(arg);
          assert.equal(r.code, 0, `${arg}: ${r.stderr}`);
        }
        const ls = await sb.inHost(['ls', '/run/netns']);
        assert.ok(!ls.stdout.split('\n').includes(odd), 'the namespace is gone after down');
      });
    });
  });

  it('attaches an external namespace for the run only: up twice, down, and down again once it is gone', async () => {
    await withSandbox('she', async (sb) => {
      const held = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      try {
        const box = sb.ns('box');
        const doc = {
          apiVersion: API_VERSION,
          kind: KIND,
          namespaces: [{ name: 'host' }, { name: box, external: { pid: held.pid } }],
          veths: [
            {
              ends: [
                { namespace: 'host', name: 'v0', addresses: ['10.9.0.1/24'] },
                { namespace: box, name: 'eth1', addresses: ['10.9.0.2/24'] },
              ],
            },
          ],
        } as TopologyInput;
        const text = renderShellScript(Topology.parse(doc));
        assert.ok(!text.includes(`netns_add ${box}`) && !text.includes(`netns_del ${box}`), 'an external namespace is neither made nor deleted');
        const inBox = (argv: string[]) => sb.inHost(['nsenter', `--net=/proc/${held.pid}/ns/net`, ...argv]);
        const named = async () => (await sb.inHost(['ls', '/run/netns'])).stdout.split('\n').includes(box);
        await withScript(sb, doc, async (run) => {
          for (const arg of ['up', 'up']) {
            const r = await run(arg);
            assert.equal(r.code, 0, `${arg}: ${r.stderr}`);
            assert.match((await inBox(['ip', '-br', 'addr', 'show', 'dev', 'eth1'])).stdout, /10\.9\.0\.2\/24/);
            assert.equal(await named(), false, 'the attach name is taken away when the script ends');
          }
          const ping = await sb.inHost(['ping', '-c1', '-W2', '10.9.0.2']);
          assert.equal(ping.code, 0, `the host cannot reach the external namespace: ${ping.stdout}${ping.stderr}`);
          const down = await run('down');
          assert.equal(down.code, 0, down.stderr);
          assert.doesNotMatch((await sb.inHost(['ip', '-br', 'link', 'show'])).stdout, /^v0[@ ]/m, 'teardown deletes the veth into it');
          assert.equal((await inBox(['ip', 'link', 'show', 'dev', 'lo'])).code, 0, 'the external namespace lives on');
          assert.equal(await named(), false);
          await held.kill();
          const gone = await run('down');
          assert.equal(gone.code, 0, gone.stderr);
          assert.match(gone.stderr, new RegExp(`namespace ${box} \\(pid ${held.pid}\\) is gone: skipped`));
        });
      } finally {
        await held.kill();
      }
    });
  });

  it('stops with a clear message on a default route it did not make, and leaves that route alone', async () => {
    await withSandbox('shy', async (sb) => {
      const a = sb.ns('a');
      assert.equal((await sb.inHost(['ip', 'netns', 'add', a])).code, 0);
      assert.equal((await sb.inNs('a', ['ip', 'link', 'set', 'dev', 'lo', 'up'])).code, 0);
      assert.equal((await sb.inNs('a', ['ip', 'route', 'add', 'default', 'dev', 'lo'])).code, 0);
      await withScript(sb, star([a]), async (run) => {
        const up = await run('up');
        assert.notEqual(up.code, 0);
        assert.match(up.stderr, new RegExp(`namespace ${a}: \`ip route add default via 10\\.9\\.0\\.1\` failed: .*File exists`));
        const r = await sb.inNs('a', ['ip', 'route', 'show', 'default']);
        assert.equal(r.stdout.trim(), 'default dev lo scope link');
      });
    });
  });
});
