/**
 * A real Docker daemon for kernel tests (Debian's docker.io), started inside the
 * test's sandbox host namespace with `nsenter --net` (not `ip netns exec`, whose
 * fresh /sys hides the cgroup mounts), so its bridge, iptables rules and sysctls
 * stay in the sandbox. Everything it keeps is under one temp directory
 * (--data-root, --exec-root, --pidfile, -H unix://…), storage is `vfs` (works on
 * any filesystem), and its one image is imported from a rootfs of
 * busybox-static: no registry. `stop` removes the containers, stops the daemon
 * (killing it and its containerd if it does not stop), unmounts whatever it left
 * under the directory and removes what it created outside it (/etc/docker,
 * /run/docker, the `docker` cgroups; the last daemon to stop does), also when
 * the test failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, copyFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runOk, type RunResult } from './run';
import type { Sandbox } from './sandbox';

export const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER = '/usr/bin/docker';
const BUSYBOX = '/usr/bin/busybox';
export const IMAGE = 'nst-busybox:1';

/** Why a Docker daemon cannot be started here, or undefined. */
export function dockerSkipReason(): string | undefined {
  for (const p of [DOCKERD, DOCKER, '/usr/bin/containerd', BUSYBOX])
    if (!existsSync(p)) return `${p} is not installed (apt-get install docker.io busybox-static)`;
  if (process.getuid?.() !== 0) return 'dockerd needs root';
  return undefined;
}

export interface DockerDaemon {
  dir: string;
  socket: string;
  dataRoot: string;
  execRoot: string;
  /** `docker -H unix://SOCKET ARGS…` (the test's own tool; the product never runs the docker CLI) */
  docker(args: string[]): Promise<RunResult>;
  dockerOk(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const OUTSIDE = ['/etc/docker', '/run/docker'];
const cgroupDirs = () => {
  try {
    return readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c, 'docker'));
  } catch {
    return [];
  }
};

/**
 * Two tests may run a daemon at once (the runner runs two files in parallel): the
 * paths outside our directories that dockerd creates are removed by the last one
 * to stop, and only those that did not exist before the first one started.
 */
const ACTIVE = '/tmp/nst-docker-active';
const OUTSIDE_LIST = join(ACTIVE, 'outside.json');

/** markers of daemons still running (a marker whose test process died is stale) */
function users(): string[] {
  try {
    return readdirSync(ACTIVE).filter((f) => {
      const pid = Number(/^user-(\d+)-/.exec(f)?.[1]);
      return pid > 0 && existsSync(`/proc/${pid}`);
    });
  } catch {
    return [];
  }
}

function enter(): string {
  mkdirSync(ACTIVE, { recursive: true });
  if (!users().length) writeFileSync(OUTSIDE_LIST, JSON.stringify([...OUTSIDE, ...cgroupDirs()].filter((p) => !existsSync(p))));
  const me = join(ACTIVE, `user-${process.pid}-${Math.random().toString(16).slice(2)}`);
  writeFileSync(me, '');
  return me;
}

function leave(me: string) {
  rmSync(me, { force: true });
  if (users().length) return;
  let created: string[] = [];
  try {
    created = JSON.parse(readFileSync(OUTSIDE_LIST, 'utf8'));
  } catch {
    /* none recorded */
  }
  for (const p of created) {
    if (!existsSync(p)) continue;
    if (p.startsWith('/sys/'))
      try {
        rmdirSync(p);
      } catch {
        /* still in use */
      }
    else rmSync(p, { recursive: true, force: true });
  }
  rmSync(ACTIVE, { recursive: true, force: true });
}

export async function startDockerd(sb: Sandbox): Promise<DockerDaemon> {
  const me = enter();
  const dir = mkdtempSync(join(tmpdir(), 'nst-docker-'));
  const socket = join(dir, 'docker.sock');
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const pidfile = join(dir, 'dockerd.pid');
  let log = '';
  const child: ChildProcess = spawn(
    'nsenter',
    [
      `--net=/run/netns/${sb.hostNs}`,
      DOCKERD,
      '--data-root',
      dataRoot,
      '--exec-root',
      execRoot,
      '--pidfile',
      pidfile,
      '-H',
      `unix://${socket}`,
      '--storage-driver',
      'vfs',
      '--userland-proxy=false',
      '--log-level',
      'warn',
      '--shutdown-timeout',
      '2',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  const docker = (args: string[]) => run([DOCKER, '-H', `unix://${socket}`, ...args], { timeoutMs: 60_000 });
  const dockerOk = async (args: string[]) => {
    const r = await docker(args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const stop = async () => {
    const ids = (await docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await docker(['rm', '-f', ...ids]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const gone = await Promise.race([
        new Promise((r) => child.once('exit', () => r(true))),
        new Promise((r) => (timer = setTimeout(() => r(false), 15_000))),
      ]);
      clearTimeout(timer);
      if (!gone) child.kill('SIGKILL');
    }
    // anything still running from our directory (containerd, shims): ours to end
    for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmd.includes(dir))
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          /* gone */
        }
    }
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m) => m?.startsWith(dir));
    for (const m of mounts.sort((a, b) => b.length - a.length)) await run(['umount', '-l', m]);
    rmSync(dir, { recursive: true, force: true });
    leave(me);
  };
  try {
    const until = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dockerd exited ${child.exitCode}: ${log.trim()}`);
      if ((await docker(['version', '--format', '{{.Server.Version}}'])).code === 0) break;
      if (Date.now() > until) throw new Error(`dockerd did not answer within 30 s: ${log.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // the image: a rootfs of busybox-static with its applets as symlinks
    const rootfs = join(dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    for (const a of ['sh', 'sleep', 'ip', 'cat', 'ls', 'ping']) symlinkSync('busybox', join(rootfs, 'bin', a));
    const tar = join(dir, 'rootfs.tar');
    await runOk(['tar', '-C', rootfs, '-cf', tar, '.']);
    await dockerOk(['import', tar, IMAGE]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, socket, dataRoot, execRoot, docker, dockerOk, stop };
}
