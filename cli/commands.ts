/** Every `brewlake` sub-command, in the order `--help` lists them. One line each. */
import type { Command } from 'commander';

export const commands: Command[] = [];
