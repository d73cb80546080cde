/**
 * `sudo netns-studio serve` runs only the helper as root (issue 15). The web
 * server parses what any local process sends to its port and (on first run)
 * builds the UI with vite from the checkout: neither needs root, and both would
 * hand it out if exploited. So the web server runs as the person who ran sudo
 * (SUDO_UID/SUDO_GID) or, for root itself, the unprivileged agent user, and
 * a root supervisor starts helpers for it (./root-supervisor.ts). A process
 * started with every uid away from 0 has no capabilities.
 */
import { agentUser } from '../helper/forwarders/agent-user';

export interface ServeUser {
  uid: number;
  gid: number;
  why: string;
}

/** Who the web server becomes; undefined when we are not root (nothing to drop). */
export function serveUser(env: NodeJS.ProcessEnv = process.env): ServeUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(env.SUDO_UID);
  const gid = Number(env.SUDO_GID);
  if (env.SUDO_UID && env.SUDO_GID && Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) && gid > 0) {
    return { uid, gid, why: `the user who ran sudo (uid ${uid})` };
  }
  const u = agentUser();
  return { uid: u.uid, gid: u.gid, why: `${u.name} (root ran serve itself)` };
}
