import type { Command } from 'commander';

/** `netns-studio schema`: prints the JSON Schema of topology files, for editors. */
export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of topology files (for editor validation and completion)')
    .action(async () => {
      const { topologyJsonSchema } = await import('../../shared/model/json-schema');
      process.stdout.write(JSON.stringify(topologyJsonSchema(), null, 2) + '\n');
    });
}
