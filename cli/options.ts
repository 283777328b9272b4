/** Options more than one command takes, declared once. */
import { Option } from 'commander';
import type { CommandHintContext } from '../glue/command-hint';
import { defaultLakeDir } from '../glue/layout';

/** `--lake DIR`: every command that reads or writes the lake takes it. */
export const lakeOption = () => new Option('--lake <dir>', 'the local lake folder').default(defaultLakeDir);

/** The `--lake` and `--registry` a command was given, for the commands its hints suggest. */
export const hintOf = (flags: { lake: string; registry?: string }): CommandHintContext => ({ lake: flags.lake, ...(flags.registry !== undefined && { registry: flags.registry }) });

/** `--json`: print the result as JSON on the last line, for scripts. */
export const jsonOption = () => new Option('--json', 'print the result as JSON on the last line');
