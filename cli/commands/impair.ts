import type { Command } from 'commander';

interface ImpairOpts {
  delay?: string;
  loss?: string;
  clear?: boolean;
}

/**
 * `netns-studio impair NS IFACE --delay MS --loss PCT | --clear`: netem on one
 * interface, through the helper (`link.impair`). Where the kernel has no
 * sch_netem it says so and exits 3, changing nothing.
 */
export function registerImpair(program: Command): void {
  program
    .command('impair')
    .description('add delay/loss to an interface with netem, or --clear it (needs root and a kernel with sch_netem)')
    .argument('<namespace>', 'a named namespace, or host')
    .argument('<interface>', 'an interface in it')
    .option('--delay <ms>', 'one-way delay in milliseconds')
    .option('--loss <percent>', 'random loss in percent')
    .option('--clear', 'remove the impairment (the root qdisc)')
    .action(async (namespace: string, iface: string, opts: ImpairOpts) => {
      const { LinkImpairParams } = await import('../../shared/protocol/methods');
      const num = (v?: string) => (v === undefined ? undefined : /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN);
      const p = LinkImpairParams.safeParse({ namespace, interface: iface, delayMs: num(opts.delay), lossPercent: num(opts.loss), clear: opts.clear });
      if (!p.success) {
        console.error(`netns-studio impair: ${p.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
        process.exitCode = 2;
        return;
      }
      if (process.getuid?.() !== 0) {
        console.error('netns-studio impair: changing a qdisc in a namespace needs root; run it with sudo');
        process.exitCode = 1;
        return;
      }
      const { startStdioHelper, HelperRequestError } = await import('../../helper/client');
      const h = await startStdioHelper({ onStderr: (t) => process.stderr.write(t), confirm: 'client' });
      try {
        const r = await h.request('link.impair', p.data);
        console.log(`${namespace}/${iface}: ${r.qdisc}`);
      } catch (e) {
        console.error(`netns-studio impair: ${(e as Error).message}`);
        process.exitCode = e instanceof HelperRequestError && e.code === 'netem-missing' ? 3 : 1;
      } finally {
        await h.close();
      }
    });
}
