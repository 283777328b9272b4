/** `brewlake models`: the real binary, against what `GET /models` answers for the same registry. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { localRegistryDir } from '../model/open-registry';
import { createLocalRegistry } from '../model/registry';
import { ibuModelParams, trainIbuModel } from '../model/train';
import { trainingRowOf } from '../model/training-data';
import { startServeServer } from '../lambdas/serve/node-server';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';

const root = join(import.meta.dirname, '..');
const brewlake = (args: string[], env: NodeJS.ProcessEnv = {}) => promisify(execFile)(process.execPath, ['bin/brewlake.mjs', ...args], { cwd: root, env: { ...process.env, COLUMNS: '', ...env } });

describe('brewlake models', () => {
  it('has a header, lists newest first, and its --json is what GET /models answers', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'models-'));
    const registry = createLocalRegistry(localRegistryDir(lake));
    const rows = catalogue.map((b) => cleanedRowOf(b, new Date())).filter((b) => b.ibu !== null).map((b) => trainingRowOf(b as unknown as Record<string, unknown>));
    const artifact = trainIbuModel(rows, { featureSet: 'base' });
    const cv = { folds: 25, mean: { r2: 0.5, rmse: 37.3, mae: 21.9 }, std: { r2: 0.3, rmse: 31.5, mae: 7.6 } };
    // Saved out of order: the listing sorts, it does not trust the folder's order.
    for (const [version, trainedAt] of [['20250102T000000Z-bbbbbb', '2025-01-02T00:00:00.000Z'], ['20250101T000000Z-aaaaaa', '2025-01-01T00:00:00.000Z'], ['20250103T000000Z-cccccc', '2025-01-03T00:00:00.000Z']] as const) {
      await registry.save(artifact, { version, featureSet: 'base', trainedAt, engine: 'duckdb', sql: '', rows: rows.length, dataHash: '', params: ibuModelParams.base, cv, codeVersion: 'test' });
    }
    await registry.promote('20250102T000000Z-bbbbbb');

    const { stdout } = await brewlake(['models', '--lake', lake, '--json']);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+version\s+feature_set\s+rows\s+R²\s+RMSE\s+MAE\s+created_at$/);
    expect(lines[1]).toMatch(/^[- ]+$/);
    expect(lines.slice(2, 5).map((l) => /\d{8}T\d{6}Z-\w+/.exec(l)![0])).toEqual(['20250103T000000Z-cccccc', '20250102T000000Z-bbbbbb', '20250101T000000Z-aaaaaa']);
    expect(lines[3]).toMatch(/^\*\s+20250102T000000Z-bbbbbb\s+base\s+\d+\s+0\.500\s+37\.3\s+21\.90\s+2025-01-02T00:00:00\.000Z$/);
    const cli = JSON.parse(lines.at(-1)!);

    // The table fits the terminal as `query`'s does (91 characters wide unfitted).
    expect(Math.max(...lines.slice(0, -1).map((l) => l.length))).toBeGreaterThan(80);
    const narrow = (await brewlake(['models', '--lake', lake], { COLUMNS: '80' })).stdout.trimEnd().split('\n');
    expect(narrow).toHaveLength(5);
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(80);
    expect(narrow[3]).toMatch(/^\*\s+20250102T000000Z-bbbbbb\s+base\s+\d+\s+0\.500\s+37\.3\s+21\.90\s+2025-01-0\S*…$/);

    const server = await startServeServer({ port: 0, registry });
    try {
      const http = (await (await fetch(`${server.url}/models`)).json()) as Record<string, unknown>;
      // Keys in the same order too: the two print one shape.
      expect(Object.keys(cli)).toEqual(Object.keys(http));
      expect(cli).toEqual(http);
      expect(cli).toHaveProperty('loaded', '20250102T000000Z-bbbbbb');
      expect(cli.versions[0]).toHaveProperty('feature_set', 'base');
      expect(cli.versions[0]).not.toHaveProperty('featureSet');
    } finally {
      await server.close();
    }
  });
});
