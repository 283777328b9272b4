/**
 * `brewlake`: the command line. Commands only parse, call and print; the work lives in
 * local/, glue/, model/ and lambdas/. Only the command being run is loaded; the others are
 * listed from the build's command index (or loaded, when running from source).
 */
import { Command } from 'commander';
import { readCommandIndex } from './command-index';
import { commandLoaders, loadAllCommands } from './commands';
import { failureExitCodeOf } from './failure-exit-code';
import { checkLakeBefore, rebuildCatalogAfter } from './lake-use';

// Named as it is run: after `npm ci` a bare `brewlake` is not on PATH, so every usage line says `npx brewlake`.
const program = new Command('npx brewlake')
  .description('A streaming data lake for the PunkAPI beer catalogue, and an IBU model served over HTTP.')
  .hook('preAction', (_program, command) => checkLakeBefore(command))
  .hook('postAction', (_program, command) => rebuildCatalogAfter(command))
  .version(process.env.npm_package_version ?? '0.1.0');

/** Runs the command line; settles when the command has (`process.exitCode` says how). */
async function main(): Promise<void> {
  const [first, second] = process.argv.slice(2);
  const named = first === 'help' ? second : first;
  try {
    const index = readCommandIndex(new URL('./', import.meta.url));
    if (named !== undefined && Object.hasOwn(commandLoaders, named)) {
      program.addCommand(await commandLoaders[named]!());
    } else if (index) {
      // Listing and suggesting need only names and descriptions.
      for (const summary of index) program.command(summary.name).description(summary.description);
      const terms = new Map(index.map((s) => [s.name, s.term]));
      program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? command.name() });
    } else {
      for (const command of await loadAllCommands()) program.addCommand(command);
    }
    await program.parseAsync(process.argv);
  } catch (error) {
    console.error(`brewlake: ${error instanceof Error ? error.message : String(error)}`);
    // The failing command's own code: drift's 1 means "drift found", so its failures are 2.
    process.exitCode = failureExitCodeOf(program.commands.find((command) => command.name() === named));
  }
}

// No top-level await: the build is CommonJS (bin/build-cli.mjs says why), which has none.
export const done = main();
