/**
 * A serving process for the benchmark: `startServeServer` over a registry folder on an
 * ephemeral port, its URL on stdout. Run through tsx, or bundled by esbuild to measure
 * what start-up costs without the TypeScript loader.
 */
import { startServeServer } from '../lambdas/serve/node-server';

const registryDir = process.argv[2];
if (!registryDir) throw new Error('usage: serve-process <registry dir>');
const server = await startServeServer({ port: 0, registryDir });
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
