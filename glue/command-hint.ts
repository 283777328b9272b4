/**
 * A `npx brewlake …` command as a hint prints it: one that works when pasted, so it carries
 * the `--lake` (and `--registry`) the user gave when they are not the defaults, quoted for
 * the shell when they need it.
 */
import { defaultLakeDir } from './layout';

export interface CommandHintContext {
  /** The lake the user gave; left out of the hint when it is the default. */
  readonly lake?: string;
  /** A `--registry` the user gave. */
  readonly registry?: string;
  /** Name the lake even when it is the default (a hint about making that very lake). */
  readonly always?: boolean;
}

/** A word as the shell reads it back unchanged: bare when it is plainly safe, else in single quotes. */
export const shellWord = (word: string): string => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** `npx brewlake <command> [--lake L] [--registry R]`. */
export function brewlakeCommand(command: string, context: CommandHintContext = {}): string {
  const lake = context.lake !== undefined && (context.always || context.lake !== defaultLakeDir) ? ` --lake ${shellWord(context.lake)}` : '';
  const registry = context.registry !== undefined ? ` --registry ${shellWord(context.registry)}` : '';
  return `npx brewlake ${command}${lake}${registry}`;
}
