import { Option, type Command } from 'commander';
import type { Topology } from '../../shared/model/schema';

const FORMATS = ['sh', 'gost', 'yaml'] as const;
type Format = (typeof FORMATS)[number];

/** The shell exporter lives in shared/export/shell.ts (the planner's area); loaded only when asked for. */
async function renderShell(t: Topology): Promise<string> {
  // a literal specifier, so the bundler sees (and splits out) the module
  const mod = (await import('../../shared/export/shell').catch(() => ({}))) as { renderShellScript?: (t: Topology) => string };
  if (typeof mod.renderShellScript !== 'function')
    throw new Error('the shell exporter (shared/export/shell.ts renderShellScript) is not available in this build');
  return mod.renderShellScript(t);
}

async function render(format: Format, t: Topology): Promise<string> {
  switch (format) {
    case 'sh':
      return renderShell(t);
    case 'gost':
      return (await import('../../shared/export/gost')).exportGost(t);
    case 'yaml':
      return (await import('../../shared/export/yaml')).exportYaml(t);
  }
}

/** Plain words for why -o could not be written (a typo in the folder, a folder given, no permission). */
function writeFailureReason(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOENT') return 'its folder does not exist';
  if (e.code === 'EISDIR') return 'it is a directory; give a file name (e.g. DIR/lab.sh)';
  if (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EROFS') return 'permission denied';
  return e.message;
}

/**
 * `netns-studio export FILE --format sh|gost|yaml [-o OUT]`: validates FILE, then
 * writes it as a shell script (setup and teardown), as GOST `services:` YAML (its
 * forwarders) or as canonical YAML. Invalid files are refused with the located errors.
 */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a topology as a shell script (sh), GOST services YAML (gost) or canonical YAML (yaml)')
    .argument('<file>', 'topology file (YAML); - reads standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).makeOptionMandatory())
    .option('-o, --output <out>', 'write to this file instead of standard output (a script is made executable)')
    .addHelpText(
      'after',
      '\nThe file is validated first; an invalid file is refused with file:line:col errors and exit 1.\nExamples:\n  netns-studio export lab.yaml --format sh -o lab.sh\n  netns-studio export lab.yaml --format gost > gost.yaml\n',
    )
    .action(async (file: string, opts: { format: string; output?: string }) => {
      const { readTopologyFile } = await import('./read-topology');
      const { formatLocatedError } = await import('../../shared/yaml/errors');
      const r = await readTopologyFile(file);
      for (const e of r.errors) console.error(e.line ? formatLocatedError(e) : `${e.file}: ${e.message}`);
      if (!r.ok || !r.doc) {
        console.error(`netns-studio export: ${file} is not a valid topology; nothing exported`);
        process.exitCode = 1;
        return;
      }
      if (opts.format === 'gost' && r.doc.forwarders.length === 0) {
        // still a valid (empty) GOST file, but most likely not what was meant
        console.error(`netns-studio export: ${file} has no forwarders; the GOST file lists no services`);
      }
      const text = await render(opts.format as Format, r.doc);
      if (opts.output) {
        const { writeFileSync } = await import('node:fs');
        try {
          writeFileSync(opts.output, text, { mode: opts.format === 'sh' ? 0o755 : 0o644 });
        } catch (e) {
          console.error(`netns-studio export: cannot write ${opts.output}: ${writeFailureReason(e as NodeJS.ErrnoException)}`);
          process.exitCode = 1;
        }
      } else {
        process.stdout.write(text);
      }
    });
}
