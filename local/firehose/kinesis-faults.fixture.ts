/**
 * Test fixture: a Kinesis client whose calls fail on demand, as a throttled shard or a
 * dropped connection fails them. A `GetRecords` is told apart by the shard its iterator
 * reads (tracked from `GetShardIterator` and each answer's `NextShardIterator`).
 */
import { GetRecordsCommand, GetShardIteratorCommand, ProvisionedThroughputExceededException, type KinesisClient } from '@aws-sdk/client-kinesis';

export interface KinesisCall {
  /** The command's name, e.g. `GetRecordsCommand`. */
  readonly command: string;
  /** The shard a `GetRecords` or `GetShardIterator` reads. */
  readonly shardId: string | undefined;
}

/** Answers the error a call fails with, or undefined to let it through. */
export type KinesisFault = (call: KinesisCall) => Error | undefined;

export const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard (injected)', $metadata: { httpStatusCode: 400 } });

export const socketHangUp = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

export function withKinesisFaults(client: KinesisClient, fault: KinesisFault): KinesisClient {
  const shardOf = new Map<string, string>();
  const send = async (command: { input: Record<string, unknown> }): Promise<unknown> => {
    const name = command.constructor.name;
    const shardId =
      command instanceof GetShardIteratorCommand ? command.input.ShardId : command instanceof GetRecordsCommand ? shardOf.get(command.input.ShardIterator ?? '') : undefined;
    const error = fault({ command: name, shardId });
    if (error) throw error;
    const answer = (await client.send(command as never)) as { ShardIterator?: string; NextShardIterator?: string };
    if (shardId && answer.ShardIterator) shardOf.set(answer.ShardIterator, shardId);
    if (shardId && answer.NextShardIterator) shardOf.set(answer.NextShardIterator, shardId);
    return answer;
  };
  return new Proxy(client, { get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)) });
}
