/**
 * A set of interface addresses answering "is this one of them?" and "is this
 * on one of their subnets?" without walking the list, for rules that ask it
 * once per route or forwarder (a hostile document has thousands of each).
 */
import { ipKey, networkKey, networkOf, type Cidr, type Ip } from './ip';

export class AddressSet {
  private readonly addrs = new Set<string>();
  private readonly nets = new Set<string>();
  private readonly prefixes = { ipv4: new Set<number>(), ipv6: new Set<number>() };
  private readonly cidrs: Cidr[] = [];
  private netTexts?: string[];

  constructor(cidrs: Iterable<Cidr>) {
    for (const c of cidrs) {
      this.cidrs.push(c);
      this.addrs.add(ipKey(c.addr));
      this.nets.add(networkKey(c.kind, c.addr.toByteArray(), c.prefix));
      this.prefixes[c.kind].add(c.prefix);
    }
  }

  /** `ip` is one of the addresses */
  has(ip: Ip): boolean {
    return this.addrs.has(ipKey(ip));
  }

  /** `ip` sits on the subnet of one of the addresses */
  covers(ip: Ip): boolean {
    const kind = ip.kind();
    const bytes = ip.toByteArray();
    for (const p of this.prefixes[kind]) if (this.nets.has(networkKey(kind, bytes, p))) return true;
    return false;
  }

  /** the distinct subnets, in first-seen order */
  networks(): string[] {
    return (this.netTexts ??= [...new Set(this.cidrs.map(networkOf))]);
  }
}
