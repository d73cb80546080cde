/**
 * Steps as the commands a person would type (`ip -n ns1 link set dev lo up`),
 * grouped by namespace, for the CLI's plan output and the plan dialog.
 */
import type { Command, Step } from '../../shared/model/step';

const shellWord = (a: string) => (/^[A-Za-z0-9_.:/@+,=%-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

export function renderCommand(c: Command): string {
  const [program, ...args] = c.argv;
  const host = c.namespace === 'host';
  switch (program) {
    case 'ip':
      return ['ip', ...(host ? [] : ['-n', c.namespace]), ...args].map(shellWord).join(' ');
    case 'sysctl':
    case 'iptables':
      return [...(host ? [] : ['ip', 'netns', 'exec', c.namespace]), program, ...args].map(shellWord).join(' ');
    case 'write-file': {
      const lines = (args[1] ?? '').split('\n').filter(Boolean);
      return `write ${args[0]}: ${lines.join('; ')}`;
    }
    case 'remove-file':
      return `rm ${args[0]}`;
    case 'forwarder-start': {
      try {
        const fw = JSON.parse(args[1]);
        return `start forwarder ${args[0]}: ${fw.protocol} ${fw.listen.namespace} ${fw.listen.address}:${fw.listen.port} -> ${fw.target.namespace} ${fw.target.address}:${fw.target.port}`;
      } catch {
        return `start forwarder ${args[0]}`;
      }
    }
    case 'forwarder-stop':
      return `stop forwarder ${args[0]}`;
    default:
      return c.argv.map(shellWord).join(' ');
  }
}

export interface StepGroup {
  namespace: string;
  steps: { index: number; step: Step; command: string }[];
}

/** Group steps by namespace, namespaces in order of first appearance, steps in plan order. */
export function groupByNamespace(steps: Step[]): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  steps.forEach((step, index) => {
    const g = groups.get(step.namespace) ?? { namespace: step.namespace, steps: [] };
    g.steps.push({ index, step, command: renderCommand(step) });
    groups.set(step.namespace, g);
  });
  return [...groups.values()];
}

/** The plan as text: a section per namespace, a reason comment per step, a summary line. */
export function renderPlan(steps: Step[], opts: { color?: boolean } = {}): string {
  const dim = (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s);
  const warn = (s: string) => (opts.color ? `\x1b[33m${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const g of groupByNamespace(steps)) {
    out.push(`# namespace ${g.namespace}`);
    for (const { index, step, command } of g.steps) {
      const mark = step.action === 'create' ? '+' : step.action === 'delete' ? '-' : '~';
      out.push(`  ${mark} ${command}${dim(`   # ${index + 1}: ${step.reason}`)}${step.unmanaged ? warn(` [unmanaged: ${step.object}]`) : ''}${step.touchesHost ? warn(` [touches the host: ${step.touchesHost}]`) : ''}`);
    }
  }
  return out.join('\n');
}

export function summaryLine(steps: Step[]): string {
  if (!steps.length) return 'Nothing to do: the host matches the document.';
  const n = (a: Step['action']) => steps.filter((s) => s.action === a).length;
  const un = steps.filter((s) => s.unmanaged).length;
  const host = steps.filter((s) => s.touchesHost).length;
  const ns = new Set(steps.map((s) => s.namespace)).size;
  return `Plan: ${n('create')} to create, ${n('change')} to change, ${n('delete')} to delete (${steps.length} steps in ${ns} namespace${ns === 1 ? '' : 's'})${un ? `; ${un} touch objects netns-studio did not create` : ''}${host ? `; ${host} touch the host (apply needs --allow-host)` : ''}.`;
}
