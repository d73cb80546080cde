/**
 * Real Mininet with Linux bridges (`LinuxBridge`, no controller, no Open vSwitch),
 * run inside the sandbox host namespace so its bridge and veths stay there:
 * discover shows each Mininet host's unnamed namespace named after it (h1, h2:
 * the `mininet:h1` argument of its shell) with its address, and the bridge s1
 * with both hosts' veths as members; watch then reports them removed when
 * Mininet stops. Skipped, saying why, where Mininet or brctl is not installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { run } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { waitUntil, within } from '../../testing/until';
import { readFileSync } from 'node:fs';
import { WatchMirror } from '../../testing/watch-mirror';

const MININET = `
import sys
from mininet.net import Mininet
from mininet.topo import SingleSwitchTopo
from mininet.nodelib import LinuxBridge
net = Mininet(topo=SingleSwitchTopo(2), switch=LinuxBridge, controller=None, autoSetMacs=True)
net.start()
print('ready', flush=True)
sys.stdin.read()
net.stop()
print('stopped', flush=True)
`;

async function mininetSkipReason(): Promise<string | undefined> {
  const k = kernelSkipReason();
  if (k) return k;
  if ((await run(['/usr/bin/python3', '-c', 'import mininet.net, mininet.nodelib'])).code !== 0)
    return 'Mininet is not installed (Debian: apt install mininet bridge-utils)';
  if ((await run(['bash', '-c', 'command -v brctl && command -v mnexec'])).code !== 0)
    return 'brctl or mnexec is missing (Debian: apt install mininet bridge-utils)';
  return undefined;
}

const skip = await mininetSkipReason();
if (skip) console.log(`# skipping the Mininet test: ${skip}`);

test(
  'Mininet with Linux bridges: hosts h1 and h2 by name with their addresses, s1 with their veths, removed when it stops',
  { skip, timeout: 120_000 },
  async () => {
    await withSandbox('mnet', async (sb) => {
      const h = await startSandboxHelper(sb);
      const mn = spawn('nsenter', [`--net=/run/netns/${sb.hostNs}`, '/usr/bin/python3', '-c', MININET], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      mn.stdout.on('data', (d: Buffer) => (out += d));
      mn.stderr.on('data', (d: Buffer) => (out += d));
      const exited = once(mn, 'exit');
      // nsenter execs python; Mininet's host shells are its children: killed by the test if Mininet cannot stop them
      let shells: number[] = [];
      try {
        await waitUntil(`Mininet to start (${out})`, () => out.includes('ready') || mn.exitCode !== null, 60_000);
        assert.ok(out.includes('ready'), out);
        shells = readFileSync(`/proc/${mn.pid}/task/${mn.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
        const d = await discoverSandbox(h, sb, { unnamed: true });
        const byHost = new Map(d.observed.namespaces.filter((n) => n.identity?.mininetHost).map((n) => [n.identity!.mininetHost!, n]));
        for (const [name, addr] of [
          ['h1', '10.0.0.1/8'],
          ['h2', '10.0.0.2/8'],
        ]) {
          const ns = byHost.get(name);
          assert.ok(ns, `${name} found: ${[...byHost.keys()].join(', ')}`);
          assert.equal(ns.identity?.label, `mininet ${name}`);
          assert.ok(
            ns.links.some((l) => l.name === `${name}-eth0` && l.addresses.some((a) => a.cidr === addr)),
            `${name} has ${addr}`,
          );
        }
        const host = d.observed.namespaces.find((n) => n.name === 'host')!;
        assert.equal(host.links.find((l) => l.name === 's1')?.kind, 'bridge');
        const members = host.links.filter((l) => l.master === 's1');
        assert.deepEqual(
          members.map((l) => l.peer?.namespace).sort(),
          [byHost.get('h1')!.name, byHost.get('h2')!.name].sort(),
          'the bridge s1 has a veth into each host',
        );

        // watch: stopping Mininet removes both hosts
        const m = new WatchMirror();
        await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true, unnamed: true }, (e) => m.accept(e));
        await m.next((e) => e.data.type === 'resync', { what: 'resync' });
        const names = [byHost.get('h1')!.name, byHost.get('h2')!.name];
        assert.ok(
          names.every((n) => m.namespaces.has(n)),
          'watch has both hosts',
        );
        mn.stdin.end();
        await waitUntil(`Mininet to stop (${out})`, () => out.includes('stopped') || mn.exitCode !== null, 60_000);
        await waitUntil('both hosts removed in watch', () => names.every((n) => !m.namespaces.has(n)), 15_000);
      } finally {
        if (mn.exitCode === null) {
          mn.stdin.end();
          await within(exited, 20_000);
          if (mn.exitCode === null) mn.kill('SIGKILL');
        }
        for (const pid of shells) {
          try {
            if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('mininet:')) process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        await h.close();
      }
    });
  },
);
