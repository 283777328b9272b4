/**
 * Every `brewlake` sub-command, in the order `--help` lists them, each loaded only when run:
 * a command's module pulls in DuckDB, the AWS SDK or the server, which `--help` (or another
 * command) should not pay for.
 */
import type { Command } from 'commander';

export const commandLoaders: Readonly<Record<string, () => Promise<Command>>> = {
  demo: async () => (await import('./demo')).demoCommand,
  query: async () => (await import('./query')).queryCommand,
  tables: async () => (await import('./tables')).tablesCommand,
  train: async () => (await import('./train')).trainCommand,
  models: async () => (await import('./models')).modelsCommand,
  promote: async () => (await import('./models')).promoteCommand,
  score: async () => (await import('./score')).scoreCommand,
  drift: async () => (await import('./drift')).driftCommand,
  compact: async () => (await import('./compact')).compactCommand,
  serve: async () => (await import('./serve')).serveCommand,
};

/** Every command, loaded. */
export const loadAllCommands = (): Promise<Command[]> => Promise.all(Object.values(commandLoaders).map((load) => load()));
