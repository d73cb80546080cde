/**
 * resolv.conf of named namespaces lives in /etc/netns/NAME/ (`ip netns exec`
 * bind-mounts it), and no kernel event says it changed. inotify (fs.watch) does:
 * one watch on /etc/netns for directories coming and going, and one on each
 * NAME directory for resolv.conf being created, written, renamed over or removed.
 * Every such event calls `onChange(NAME)`; the session re-reads that namespace.
 *
 * /etc/netns does not exist until someone makes it (we never create it): until
 * then /etc is watched for its appearance. When /etc/netns goes away, every
 * directory it had is reported and the watch starts over from /etc.
 */
import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const ETC_NETNS = '/etc/netns';
const RETRY_MS = 1000;

export interface EtcNetnsWatch {
  close(): void;
}

export function watchEtcNetns(onChange: (name: string) => void, dir = ETC_NETNS, log?: (line: string) => void): EtcNetnsWatch {
  let closed = false;
  let top: FSWatcher | undefined;
  const subs = new Map<string, FSWatcher>();
  let retry: NodeJS.Timeout | undefined;

  const later = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      arm();
    }, RETRY_MS);
  };

  /** Watch NAME's directory (when it is one); report it either way. */
  const follow = (name: string) => {
    if (closed) return;
    const path = join(dir, name);
    const isDir = (() => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    })();
    const had = subs.get(name);
    if (!isDir) {
      had?.close();
      subs.delete(name);
    } else if (!had) {
      try {
        const w = watch(path, { persistent: false }, () => onChange(name));
        w.on('error', () => {
          w.close();
          if (subs.get(name) === w) subs.delete(name);
          onChange(name);
        });
        subs.set(name, w);
      } catch {
        /* gone again meanwhile */
      }
    }
    // after arming: a resolv.conf written before the watch existed is read now
    onChange(name);
  };

  const dropAll = () => {
    for (const [name, w] of subs) {
      w.close();
      onChange(name);
    }
    subs.clear();
  };

  const arm = () => {
    if (closed) return;
    top?.close();
    top = undefined;
    try {
      if (existsSync(dir)) {
        top = watch(dir, { persistent: false }, (_ev, name) => {
          // /etc/netns itself removed (inotify names it in its own watch): back to watching /etc
          if (!existsSync(dir)) return arm();
          if (name) follow(String(name));
          else for (const n of readdirSync(dir)) follow(n); // the kernel did not say which: look at all
        });
        top.on('error', () => {
          dropAll();
          setTimeout(arm, 50);
        });
        // the directory may have been (re)made with entries already inside
        for (const n of readdirSync(dir)) follow(n);
      } else {
        dropAll();
        top = watch(dirname(dir), { persistent: false }, (_ev, name) => {
          if (name === basename(dir) && existsSync(dir)) arm();
        });
        top.on('error', later);
        if (existsSync(dir)) arm(); // made between the check and the watch
      }
    } catch (e) {
      log?.(`cannot watch ${dir} (${(e as Error).message}); trying again in ${RETRY_MS} ms`);
      later();
    }
  };
  arm();
  return {
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      top?.close();
      for (const w of subs.values()) w.close();
      subs.clear();
    },
  };
}
