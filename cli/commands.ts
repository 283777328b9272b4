/** Every `brewlake` sub-command, in the order `--help` lists them. One line each. */
import type { Command } from 'commander';
import { compactCommand } from './compact';
import { demoCommand } from './demo';
import { driftCommand } from './drift';
import { modelsCommand, promoteCommand } from './models';
import { queryCommand } from './query';
import { scoreCommand } from './score';
import { serveCommand } from './serve';
import { trainCommand } from './train';

export const commands: Command[] = [
  demoCommand,
  queryCommand,
  trainCommand,
  modelsCommand,
  promoteCommand,
  scoreCommand,
  driftCommand,
  compactCommand,
  serveCommand,
];
