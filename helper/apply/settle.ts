/**
 * The kernel frees a deleted namespace asynchronously (in bulk, which is why
 * destroy deletes namespaces rather than each veth): the host end of a veth whose
 * peer was inside disappears a little later. Destroy waits for that, so "done"
 * means the host really looks as before.
 */
import { ipBase, runProc, type RunnerOptions } from './runner';
import { envSetting } from '../env-overrides';

export async function waitLinksGone(links: { namespace: string; name: string }[], opts: RunnerOptions & { timeoutMs?: number } = {}): Promise<boolean> {
  const byNs = new Map<string, Set<string>>();
  for (const l of links) byNs.set(l.namespace, (byNs.get(l.namespace) ?? new Set()).add(l.name));
  const until = Date.now() + (opts.timeoutMs ?? 10_000);
  for (const [ns, names] of byNs) {
    for (;;) {
      const r = await runProc([...ipBase(ns), '-j', 'link', 'show'], { wrap: opts.wrap });
      if (r.code !== 0) break; // the namespace itself is gone
      let present: string[] = [];
      try {
        present = (JSON.parse(r.stdout) as { ifname: string }[]).map((l) => l.ifname).filter((n) => names.has(n));
      } catch {
        break;
      }
      if (!present.length) break;
      if (Date.now() > until) {
        if (envSetting('NETNS_STUDIO_DEBUG_TIMING') === '1') console.error(`still present in ${ns}: ${present.join(' ')}`);
        return false;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  }
  return true;
}
