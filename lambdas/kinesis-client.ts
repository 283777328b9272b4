/** The Kinesis client every handler and the local stack use (see `sdk-client-config.ts`). */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { sdkClientConfig, type SdkClientOptions } from './sdk-client-config';

export type KinesisClientOptions = SdkClientOptions;

export const createKinesisClient = (options: KinesisClientOptions = {}): KinesisClient => new KinesisClient(sdkClientConfig(options));
