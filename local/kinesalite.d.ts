/** kinesalite ships no types: the part of its API the local stack uses. */
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** LevelDB folder; absent keeps the streams in memory. */
    path?: string;
    /** Simulated latency of CreateStream, DeleteStream and UpdateShardCount (default 500 ms). */
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    /** Most shards one account may hold (default 10). */
    shardLimit?: number;
    ssl?: boolean;
  }

  export default function kinesalite(options?: KinesaliteOptions): Server;
}
