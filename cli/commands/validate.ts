import type { Command } from 'commander';

/**
 * `netns-studio validate FILE...`: checks topology files (YAML syntax, apiVersion,
 * schema, semantic rules). Prints `file:line:col: path: message` per problem and
 * exits 1 if any file has an error; otherwise one OK line per file.
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check topology files: YAML, schema and semantic rules (names, references, addresses, routes, forwarders)')
    .argument('<files...>', 'topology files (YAML); - reads standard input')
    .option('--json', 'print the problems as a JSON array of {file, line, column, path, code, severity, message}')
    .addHelpText(
      'after',
      '\nExit status: 0 when every file is valid (warnings allowed), 1 otherwise.\nExample: netns-studio validate lab.yaml\n  lab.yaml:12:15: veths[0].ends[1].name: interface name "veth-to-the-router" is 18 bytes; the kernel allows at most 15 (IFNAMSIZ)\n',
    )
    .action(async (files: string[], opts: { json?: boolean }) => {
      const { readTopologyFile } = await import('./read-topology');
      const { formatLocatedError } = await import('../../shared/yaml/errors');
      let failed = false;
      const all = [];
      for (const file of files) {
        const r = await readTopologyFile(file);
        all.push(...r.errors);
        if (!r.ok) failed = true;
        if (opts.json) continue;
        for (const e of r.errors) console.log(e.line ? formatLocatedError(e) : `${e.file}: ${e.message}`);
        if (r.ok && r.doc) {
          const d = r.doc;
          const warn = r.errors.length ? `, ${r.errors.length} warning${r.errors.length === 1 ? '' : 's'}` : '';
          const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
          console.log(
            `${file}: OK (${n(d.namespaces.length, 'namespace')}, ${n(d.bridges.length, 'bridge')}, ${n(d.veths.length, 'veth')}, ${n(d.forwarders.length, 'forwarder')}${warn})`,
          );
        }
      }
      if (opts.json) console.log(JSON.stringify(all, null, 2));
      process.exitCode = failed ? 1 : 0;
    });
}
