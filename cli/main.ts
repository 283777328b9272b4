/**
 * `brewlake`: the command line. Commands only parse, call and print; the work lives in
 * local/, glue/, model/ and lambdas/.
 */
import { Command } from 'commander';
import { commands } from './commands';
import { checkLakeBefore, rebuildCatalogAfter } from './lake-use';

const program = new Command('brewlake')
  .description('A streaming data lake for the PunkAPI beer catalogue, and an IBU model served over HTTP.')
  .hook('preAction', (_program, command) => checkLakeBefore(command))
  .hook('postAction', (_program, command) => rebuildCatalogAfter(command))
  .version(process.env.npm_package_version ?? '0.1.0');

for (const command of commands) program.addCommand(command);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`brewlake: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
