/**
 * The commands as `brewlake --help` lists them (name, term, description), written beside the
 * built CLI by `describe-commands` at build time, so that listing them loads no command.
 */
import { readFileSync } from 'node:fs';
import { Help, type Command } from 'commander';

export interface CommandSummary {
  readonly name: string;
  /** How the help lists it, e.g. `query [options] [sql]`. */
  readonly term: string;
  readonly description: string;
}

export const commandIndexFile = 'commands.json';

export function summarizeCommand(command: Command): CommandSummary {
  return { name: command.name(), term: new Help().subcommandTerm(command), description: command.description() };
}

/** The index in `dir` (the build's, beside its entry), or undefined when there is none (running from source). */
export function readCommandIndex(dir: URL): CommandSummary[] | undefined {
  try {
    return JSON.parse(readFileSync(new URL(commandIndexFile, dir), 'utf8')) as CommandSummary[];
  } catch {
    return undefined;
  }
}
