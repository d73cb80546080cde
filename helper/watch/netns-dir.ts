/**
 * Namespaces come and go as files in /run/netns (`ip netns add` creates one and
 * bind-mounts the namespace on it; `ip netns del` unmounts and unlinks it). One
 * inotify watch (fs.watch) on the directory says "something changed here"; the
 * tracker then lists it. When the directory does not exist yet, its parent is
 * watched until it appears; if watching fails altogether, a slow poll stands in.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { dirname, basename } from 'node:path';
import { NETNS_DIR } from '../discover/targets';

const POLL_MS = 1000;

export interface DirWatch {
  close(): void;
}

export function watchNetnsDir(onChange: () => void, dir = NETNS_DIR, log?: (line: string) => void): DirWatch {
  let closed = false;
  let watcher: FSWatcher | undefined;
  let poll: NodeJS.Timeout | undefined;

  const arm = () => {
    if (closed) return;
    watcher?.close();
    watcher = undefined;
    try {
      if (existsSync(dir)) {
        watcher = watch(dir, { persistent: false }, () => onChange());
        // the directory itself removed or unreadable: start over from its parent
        watcher.on('error', () => setTimeout(arm, 50));
      } else {
        watcher = watch(dirname(dir), { persistent: false }, (_ev, name) => {
          if (name === basename(dir) && existsSync(dir)) {
            arm();
            onChange();
          }
        });
        watcher.on('error', () => setTimeout(arm, POLL_MS));
      }
    } catch (e) {
      log?.(`cannot watch ${dir} (${(e as Error).message}); polling it every ${POLL_MS} ms`);
      poll ??= setInterval(onChange, POLL_MS);
    }
  };
  arm();
  return {
    close() {
      closed = true;
      watcher?.close();
      if (poll) clearInterval(poll);
    },
  };
}
