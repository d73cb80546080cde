/**
 * What a process's cgroup path says about who started it (pure): Docker,
 * Podman, Kubernetes (CRI: containerd, CRI-O, dockershim) container ids and
 * systemd-nspawn machine names. Both cgroup drivers are understood (cgroupfs:
 * `/docker/ID`; systemd: `docker-ID.scope`), on cgroup v1 and v2.
 */

export type CgroupOwner =
  | { kind: 'docker' | 'podman'; id: string }
  | { kind: 'kubernetes'; id: string; runtime: 'containerd' | 'crio' | 'docker' | 'unknown' }
  | { kind: 'nspawn'; machine: string };

const ID = '([0-9a-f]{64})';

/** systemd unit-name escaping: `\x2d` → `-` */
function unescapeUnit(s: string): string {
  return s.replace(/\\x([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The owner named by /proc/PID/cgroup text, or undefined for a plain process. */
export function cgroupOwner(text: string): CgroupOwner | undefined {
  // the unified (0::) line is the most precise where it is set; the v1 lines otherwise
  const paths = text
    .split('\n')
    .map((l) => l.slice(l.indexOf(':', l.indexOf(':') + 1) + 1))
    .filter((p) => p && p !== '/');
  for (const p of paths) {
    if (p.includes('kubepods')) {
      let m = new RegExp(`cri-containerd-${ID}\\.scope`).exec(p);
      if (m) return { kind: 'kubernetes', id: m[1], runtime: 'containerd' };
      if ((m = new RegExp(`crio-${ID}\\.scope`).exec(p))) return { kind: 'kubernetes', id: m[1], runtime: 'crio' };
      if ((m = new RegExp(`docker-${ID}\\.scope`).exec(p))) return { kind: 'kubernetes', id: m[1], runtime: 'docker' };
      if ((m = new RegExp(`/${ID}$`).exec(p))) return { kind: 'kubernetes', id: m[1], runtime: 'unknown' };
      continue;
    }
    let m = new RegExp(`(?:^|/)docker[-/]${ID}(?:\\.scope)?(?:/|$)`).exec(p);
    if (m) return { kind: 'docker', id: m[1] };
    // libpod-conmon-ID is the monitor beside the container, not the container
    if ((m = new RegExp(`(?:^|/)libpod-${ID}(?:\\.scope)?(?:/|$)`).exec(p))) return { kind: 'podman', id: m[1] };
    if ((m = /\/machine\.slice\/machine-(.+?)\.scope(?:\/|$)/.exec(p))) return { kind: 'nspawn', machine: unescapeUnit(m[1]) };
  }
  return undefined;
}

/** Mininet starts each host's shell as `bash --norc -is mininet:h1` (through mnexec): the host name. */
export function mininetHost(argv: string[]): string | undefined {
  for (const a of argv) {
    const m = /^mininet:([A-Za-z0-9_.-]{1,64})$/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}
