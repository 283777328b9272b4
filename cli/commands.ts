/** Every `brewlake` sub-command, in the order `--help` lists them. One line each. */
import type { Command } from 'commander';
import { queryCommand } from './query';

export const commands: Command[] = [
  queryCommand,
];
