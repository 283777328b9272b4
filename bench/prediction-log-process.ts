/**
 * The prediction log's delivery stream into a lake, in a process of its own for the serving
 * benchmark: in AWS it runs outside the serving Lambda, so here it does not share an event
 * loop with the load generator either. Prints its endpoint; on
 * SIGTERM writes what is buffered and exits.
 */
import { startPredictionLogPipeline } from '../local/prediction-log-pipeline';

const [lakeDir] = process.argv.slice(2);
if (!lakeDir) throw new Error('usage: prediction-log-process <lake dir>');
const pipeline = await startPredictionLogPipeline({ lakeDir });
process.stdout.write(`${pipeline.endpoint}\n`);
process.once('SIGTERM', () =>
  void (async () => {
    await pipeline.stop();
    process.exit(0);
  })(),
);
