/**
 * NAT changes as they happen. `ip monitor` hears no netfilter, and `nft monitor`
 * only its own namespace (one process per namespace); instead one perl process
 * (./nft-listen.pl) holds one netlink socket that joins the nf_tables group with
 * NETLINK_LISTEN_ALL_NSID, like `ip monitor all-nsid` does for rtnetlink: the
 * kernel reports every nf_tables change (iptables-nft is nf_tables) in every
 * namespace with an nsid here, and the line says which (`nsid N` / `current`).
 * Idle, it costs nothing: no polling. Legacy x_tables has no notifications at
 * all; a namespace using it shows NAT changes with its next kernel event.
 *
 * A listener that dies is started again (growing delay while it keeps dying) and
 * `onRestart` fires, so subscribers resync. Without perl (or on a kernel that
 * refuses the socket) `start` rejects and watch goes on without it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { perlPath } from '../discover/netlink';
import type { NsidRef } from './nsid-scanner';
import { RespawningChild, type RespawnHandlers } from './respawn';
import { resolvedArgv } from '../programs';

export const NFT_LISTEN_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'nft-listen.pl');

export interface NftListenHandlers extends RespawnHandlers {
  onNsid(nsid: NsidRef): void;
  onOverrun?(): void;
}

const FIRST_DELAY_MS = 50;
const MAX_DELAY_MS = 5000;

export class NftListener extends RespawningChild<NftListenHandlers> {
  constructor(
    handlers: NftListenHandlers,
    private readonly wrap: string[] = [],
  ) {
    super('nft-listen', handlers, FIRST_DELAY_MS, MAX_DELAY_MS);
  }

  /** Resolves once the socket listens (the script printed `ready`). */
  start(): Promise<void> {
    const perl = perlPath();
    if (!perl || !existsSync(NFT_LISTEN_SCRIPT)) return Promise.reject(new Error('perl or nft-listen.pl is missing'));
    const argv = resolvedArgv([...this.wrap, perl, NFT_LISTEN_SCRIPT]);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.adopt(child);
    child.stdin.end();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-1000)));
    child.on('error', () => {}); // reported through exit
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let carry = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        const lines = (carry + d).split('\n');
        carry = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') {
            ready = true;
            resolve();
          } else if (line === 'current') this.handlers.onNsid('current');
          else if (line === 'overrun') this.handlers.onOverrun?.();
          else if (line.startsWith('nsid ')) this.handlers.onNsid(Number(line.slice(5)));
        }
      });
      child.once('exit', (code, signal) => {
        if (!ready) reject(new Error(`nft-listen exited (${signal ?? `code ${code}`}): ${stderr.trim()}`));
        this.exited(child, `(${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`, ready);
      });
    });
  }
}
