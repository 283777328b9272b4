/**
 * `make bench`: runs every benchmark and prints one table. A bench named on the command
 * line (`make bench ONLY=transform`) runs alone.
 */
import { cliBench } from './cli';
import { lakeBench } from './lake';
import { serveBench } from './serve';
import { modelBench } from './model';
import { predictionLogBench } from './prediction-log';
import { stacksBench } from './stacks';
import { streamBench } from './stream';
import { formatTable, rowPasses, type Bench, type BenchRow } from './table';
import { transformBench } from './transform';

// The AWS SDK's notice that it will need Node 22 from 2027 (the README says it once): not
// in the middle of the table, from this process or the servers it starts.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const benches: Bench[] = [transformBench, streamBench, modelBench, stacksBench, predictionLogBench, serveBench, cliBench, lakeBench];

const only = process.argv.slice(2);
const rows: BenchRow[] = [];
for (const bench of benches) {
  if (only.length > 0 && !only.some((o) => bench.title.startsWith(o))) continue;
  process.stderr.write(`bench: ${bench.title} ...\n`);
  rows.push(...(await bench.run()));
}
console.log(formatTable(rows));
process.exitCode = rows.every(rowPasses) ? 0 : 1;
