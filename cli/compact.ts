/** `brewlake compact [--zone Z] [--before TIME]`: each closed day of the lake into one Parquet file, and the closed hours of the open day into one each. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { compactableTables, compactLake, describeCompaction } from '../local/compaction';
import { lakeOption } from './options';

const zoneNames = compactableTables.map((t) => t.name);

const time = (value: string) => {
  const t = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || !Number.isFinite(t.getTime())) throw new InvalidArgumentError(`expected an ISO time such as 2026-12-01T20:00:00Z, got ${JSON.stringify(value)}`);
  return t;
};

export const compactCommand = new Command('compact')
  .description('rewrite each closed day of a zone into one Parquet file, and each closed hour of a day still open into one (atomic, safe to kill and rerun)')
  .addOption(lakeOption())
  .addOption(new Option('--zone <table>', 'one zone only (default: every zone but raw, which keeps records as collected)').choices(zoneNames))
  .option('--before <time>', 'only hours and days ending at or before this UTC time (default: an hour ago; never an hour still open)', time)
  .action(async (flags: { lake: string; zone?: string; before?: Date }) => {
    const tables = compactableTables.filter((t) => flags.zone === undefined || t.name === flags.zone);
    const results = await compactLake({ lakeDir: flags.lake, tables, ...(flags.before && { before: flags.before }) });
    for (const result of results) console.log(describeCompaction(result));
  });
