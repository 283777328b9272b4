/**
 * Where the local delivery loop keeps its own state inside the lake folder: a dot-folder
 * beside the table prefixes, never inside one, so no table glob ever reads a checkpoint
 * or a half-written file.
 */
import { join } from 'node:path';

export const firehoseStateFolder = '.firehose';

/** The checkpoint file of one delivery stream. */
export const checkpointPath = (lakeDir: string, deliveryStream: string) =>
  join(lakeDir, firehoseStateFolder, 'checkpoints', `${deliveryStream}.json`);

/**
 * Files are written here first, then renamed into place (same file system, so atomic).
 * One folder per delivery stream: a stream clears its own leftovers at start-up, and must
 * not clear a running neighbour's file in flight.
 */
export const tempFolder = (lakeDir: string, deliveryStream: string) => join(lakeDir, firehoseStateFolder, 'tmp', deliveryStream);
