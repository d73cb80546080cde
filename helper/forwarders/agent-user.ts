/**
 * Who forwarder agents run as once their sockets are bound (issue 15): an agent
 * only accepts, dials and copies bytes after that, none of which needs root, and
 * it is reachable from the network, so it should not hold root's power while it
 * parses what strangers send. The user is `netns-studio` when the system has one
 * (a package can create it: a uid of our own, which no other daemon shares), else
 * `nobody`. Read from /etc/passwd by the root helper, never from a request.
 */
import { readFileSync } from 'node:fs';

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
}

export const AGENT_USERS = ['netns-studio', 'nobody'] as const;
/** the kernel's overflow ids: what `nobody` is on Debian and most systems */
const FALLBACK: AgentUser = { name: 'nobody', uid: 65534, gid: 65534 };

export function parsePasswd(text: string): Map<string, AgentUser> {
  const users = new Map<string, AgentUser>();
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    const u = Number(uid);
    const g = Number(gid);
    if (name && Number.isInteger(u) && Number.isInteger(g) && uid !== '' && gid !== '') users.set(name, { name, uid: u, gid: g });
  }
  return users;
}

let cached: AgentUser | undefined;
/** The unprivileged user agents drop to; never uid or gid 0. */
export function agentUser(): AgentUser {
  if (cached) return cached;
  let users = new Map<string, AgentUser>();
  try {
    users = parsePasswd(readFileSync('/etc/passwd', 'utf8'));
  } catch {
    /* no passwd: the overflow ids */
  }
  const found = AGENT_USERS.map((n) => users.get(n)).find((u) => u && u.uid !== 0 && u.gid !== 0);
  return (cached = found ?? FALLBACK);
}
