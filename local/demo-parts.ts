/**
 * The real parts the demo runs: the transform Lambda's handler as the `cleaned` stream's
 * processor, the local PunkAPI server, and the ingest handler's code reading that server
 * over HTTP and writing to the local stream, exactly as the Lambda does in AWS.
 */
import { ingest } from '../lambdas/ingest/ingest';
import { putBeerRecords } from '../lambdas/ingest/put-beer-records';
import { catalogue } from '../lambdas/punkapi/catalogue';
import { createHttpSource } from '../lambdas/punkapi/http-source';
import { failureReason, handler as transformHandler } from '../lambdas/transform/handler';
import type { DemoParts } from './demo';
import { startPunkApiServer } from './punkapi-server';

export const demoParts: DemoParts = {
  transformation: { processor: transformHandler, failureReason },
  startPunkApi: () => startPunkApiServer(),
  ingest: ({ punkApiUrl, kinesis, streamName }) => {
    const source = createHttpSource({ baseUrl: punkApiUrl });
    return {
      async backfill(progress) {
        const summary = await ingest({ source, mode: { kind: 'backfill' }, streamName, kinesis, onProgress: (put) => progress(put, catalogue.length) });
        return summary.put;
      },
      async tick() {
        return (await ingest({ source, mode: { kind: 'random', count: 1 }, streamName, kinesis })).put;
      },
      async putAgain(beers) {
        return (await putBeerRecords(kinesis, streamName, beers)).put;
      },
    };
  },
};
