/**
 * How every AWS SDK client here is configured. In AWS: the SDK's defaults. Given an
 * endpoint (a local stand-in on loopback: the Kinesis emulator, the local Firehose) it
 * talks HTTP/1.1 with dummy credentials, since the stand-ins check none, and makes one
 * attempt: they answer at once, and the SDK's retries would only hide a fault we test for.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface SdkClientOptions {
  /** e.g. `http://127.0.0.1:4567`; absent in AWS. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

export function sdkClientConfig(options: SdkClientOptions = {}) {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  if (!options.endpoint) return { region };
  return {
    region,
    endpoint: options.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 10_000 }),
    maxAttempts: 1,
  };
}
