/** The Firehose client the prediction log writes with, to AWS or to the local Direct PUT endpoint (see `sdk-client-config.ts`). */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { sdkClientConfig, type SdkClientOptions } from './sdk-client-config';

export const createFirehoseClient = (options: SdkClientOptions = {}): FirehoseClient => new FirehoseClient(sdkClientConfig(options));
