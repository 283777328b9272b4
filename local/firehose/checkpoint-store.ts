/**
 * A delivery stream's position in each shard: the sequence number of the last record in a
 * durably written file. Saved atomically (temp file + rename), so a crash leaves either
 * the old checkpoint or the new one.
 */
import { readFile } from 'node:fs/promises';
import { writeFileDurably } from './durable-file';
import { checkpointPath, tempFolder } from './state-folder';

export interface Checkpoint {
  /**
   * The Kinesis stream the positions belong to, and when it was created: a stream
   * re-created under the same name (a fresh emulator) starts again from the beginning.
   */
  readonly streamArn: string;
  readonly streamCreatedAt: string;
  /** Shard id → sequence number of the last delivered record. */
  readonly shards: Readonly<Record<string, string>>;
}

export interface CheckpointStore {
  /** The saved checkpoint, if it belongs to this stream incarnation. */
  load(stream: { streamArn: string; createdAt: Date }): Promise<Checkpoint | undefined>;
  save(checkpoint: Checkpoint): Promise<void>;
}

export function checkpointStore(lakeDir: string, deliveryStream: string): CheckpointStore {
  const path = checkpointPath(lakeDir, deliveryStream);
  return {
    async load(stream) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      const saved = parseCheckpoint(text, path);
      const sameStream = saved.streamArn === stream.streamArn && saved.streamCreatedAt === stream.createdAt.toISOString();
      return sameStream ? saved : undefined;
    },
    save: (checkpoint) => writeFileDurably(path, `${JSON.stringify(checkpoint, null, 2)}\n`, tempFolder(lakeDir, deliveryStream)),
  };
}

export class CorruptCheckpointError extends Error {
  override readonly name = 'CorruptCheckpoint';
}

function parseCheckpoint(text: string, path: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CorruptCheckpointError(`${path}: not JSON`);
  }
  const c = value as Partial<Checkpoint> | null;
  const shardsOk =
    typeof c?.shards === 'object' && c.shards !== null && Object.values(c.shards).every((s) => typeof s === 'string');
  if (typeof c?.streamArn !== 'string' || typeof c.streamCreatedAt !== 'string' || !shardsOk) {
    throw new CorruptCheckpointError(`${path}: expected { streamArn, streamCreatedAt, shards: { shardId: sequenceNumber } }`);
  }
  return c as Checkpoint;
}
