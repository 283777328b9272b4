/**
 * Test support: a disk that fills up. A folder gets a byte quota, enforced where the bytes
 * are written: a write that does not fit writes what fits and then fails with ENOSPC, the part
 * written kept, as a real full disk does (so a temp file left behind keeps taking space).
 * Tests mock `node:fs/promises` and hand the original module in.
 */
import { join } from 'node:path';

type Fs = typeof import('node:fs/promises');

export interface QuotaDisk {
  /** The folder the quota covers; '' turns it off. */
  root: string;
  quotaBytes: number;
}

async function bytesUsed(fs: Fs, folder: string): Promise<number> {
  let bytes = 0;
  for (const entry of await fs.readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await fs.stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}

/** Whether a write to `path` counts against the quota. */
export const onQuotaDisk = (disk: QuotaDisk, path: unknown) => disk.root !== '' && String(path).startsWith(disk.root);

/** Writes `data` through `write` if it fits; otherwise what fits, then ENOSPC. */
export async function writeWithinQuota(fs: Fs, disk: QuotaDisk, data: string | Uint8Array, write: (bytes: Buffer) => Promise<void>): Promise<void> {
  const bytes = Buffer.from(data);
  const free = Math.max(0, disk.quotaBytes - (await bytesUsed(fs, disk.root)));
  if (bytes.length <= free) return write(bytes);
  await write(bytes.subarray(0, free));
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
}
