/** Build step (bin/build-cli.mjs): prints the command index as JSON. */
import { summarizeCommand } from './command-index';
import { loadAllCommands } from './commands';

process.stdout.write(JSON.stringify((await loadAllCommands()).map(summarizeCommand)));
