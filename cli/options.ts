/** Options more than one command takes, declared once. */
import { Option } from 'commander';
import { defaultLakeDir } from '../glue/layout';

/** `--lake DIR`: every command that reads or writes the lake takes it. */
export const lakeOption = () => new Option('--lake <dir>', 'the local lake folder').default(defaultLakeDir);

/** `--json`: print the result as JSON on the last line, for scripts. */
export const jsonOption = () => new Option('--json', 'print the result as JSON on the last line');
