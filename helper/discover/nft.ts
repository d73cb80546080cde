/**
 * Native nftables tables (made with `nft`, not iptables-nft's own tables, which
 * iptables-save already shows): `nft -j list ruleset` in each namespace, as the
 * namespace's owner like every other read, kept as base chains with their hook,
 * policy and rules. A rule is kept as a plain verdict only when it is one
 * (`accept`/`drop`, optionally with a counter); anything else is quoted, so
 * reachability says "unknown" rather than guess.
 */
import type { NftChain, ObservedNamespace } from '../../shared/model/observed';
import { runProgram } from '../proc';
import { hasProgram, programPath } from '../programs';
import { inNetnsOf } from './ns-owner';

/** Tables iptables-nft makes (it reads and writes them through iptables-save already). */
const IPTABLES_TABLES = new Set(['filter', 'nat', 'mangle', 'raw', 'security']);
const isIptables = (family: string, table: string) => (family === 'ip' || family === 'ip6') && IPTABLES_TABLES.has(table);

type Json = Record<string, unknown>;

export function parseNftRuleset(json: string): NftChain[] {
  const items = (JSON.parse(json) as { nftables?: Json[] }).nftables ?? [];
  const chains = new Map<string, NftChain>();
  const key = (f: unknown, t: unknown, c: unknown) => `${String(f)}\0${String(t)}\0${String(c)}`;
  for (const it of items) {
    const c = it.chain as Json | undefined;
    if (!c || typeof c.hook !== 'string' || isIptables(String(c.family), String(c.table))) continue;
    chains.set(key(c.family, c.table, c.name), {
      family: String(c.family),
      table: String(c.table),
      name: String(c.name),
      hook: c.hook,
      policy: c.policy === 'drop' ? 'drop' : 'accept',
      rules: [],
    });
  }
  for (const it of items) {
    const r = it.rule as Json | undefined;
    const chain = r && chains.get(key(r.family, r.table, r.chain));
    if (!r || !chain) continue;
    const expr = (r.expr as Json[] | undefined) ?? [];
    const rest = expr.filter((e) => !('counter' in e));
    const verdict = rest.length === 1 && 'accept' in rest[0] ? 'accept' : rest.length === 1 && 'drop' in rest[0] ? 'drop' : undefined;
    chain.rules.push({ ...(verdict ? { verdict } : {}), text: `table ${chain.family} ${chain.table} chain ${chain.name} rule ${JSON.stringify(expr)}` });
  }
  return [...chains.values()];
}

/** Sets nftChains on each namespace where nft is installed; a namespace whose read fails is left unread. */
export async function readNft(namespaces: ObservedNamespace[], paths: ReadonlyMap<string, string>): Promise<void> {
  if (!hasProgram('nft')) return;
  const todo = namespaces.filter((n) => paths.has(n.name));
  // a few at a time: one process per namespace
  for (let i = 0; i < todo.length; i += 16) {
    await Promise.all(
      todo.slice(i, i + 16).map(async (n) => {
        const r = await runProgram(await inNetnsOf(paths.get(n.name)!, [programPath('nft'), '-j', 'list', 'ruleset']), { timeoutMs: 10_000 });
        if (r.code !== 0) return;
        try {
          n.nftChains = parseNftRuleset(r.stdout);
        } catch {
          n.warnings.push('nft -j list ruleset printed something that is not its JSON: native nftables tables not read');
        }
      }),
    );
  }
}
