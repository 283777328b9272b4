/**
 * The prediction log's stream and its delivery into a lake, in a process of their own for
 * the serving benchmark: in AWS they run outside the serving Lambda, so here they do not
 * share an event loop with the load generator either. Prints the Kinesis endpoint; on
 * SIGTERM delivers what is buffered and exits.
 */
import { startKinesis } from '../local/kinesis';
import { startPredictionLogPipeline } from '../local/prediction-log-pipeline';

const [lakeDir] = process.argv.slice(2);
if (!lakeDir) throw new Error('usage: prediction-log-process <lake dir>');
const kinesis = await startKinesis();
const pipeline = await startPredictionLogPipeline({ lakeDir, kinesisEndpoint: kinesis.endpoint });
process.stdout.write(`${kinesis.endpoint}\n`);
process.once('SIGTERM', () =>
  void (async () => {
    await pipeline.stop();
    await kinesis.close();
    process.exit(0);
  })(),
);
