/**
 * The Kinesis client every handler and the local stack use. In AWS it is the SDK's
 * default; given an endpoint (the local emulator on loopback) it talks HTTP/1.1, which
 * kinesalite needs, with dummy credentials, since the emulator checks none.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisClientOptions {
  /** e.g. `http://127.0.0.1:4567`; absent in AWS. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

export function createKinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  if (!options.endpoint) return new KinesisClient({ region });
  return new KinesisClient({
    region,
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 10_000 }),
    // The emulator answers immediately; the SDK's own retries would only hide a fault we test for.
    maxAttempts: 1,
  });
}
