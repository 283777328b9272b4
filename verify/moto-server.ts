/**
 * moto in server mode: one process emulating every AWS API, on 127.0.0.1 and a port the
 * kernel picks (port 0; moto prints the one it got). Stopped by `stop()`, and by the exit of
 * this process whatever the cause (error, Ctrl-C), so no emulator outlives `make verify_aws`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface MotoServer {
  /** e.g. `http://127.0.0.1:41761` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export class MotoStartFailed extends Error {
  override readonly name = 'MotoStartFailed';
}

/** moto's default account: what `sts:GetCallerIdentity` answers and where its state lives. */
export const motoAccountId = '123456789012';

export async function startMotoServer(binary: string, timeoutMs = 60_000): Promise<MotoServer> {
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      kill();
      process.exit(130);
    });
  }
  const output: string[] = [];
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new MotoStartFailed(`moto_server printed no address within ${timeoutMs} ms: ${output.join(' | ')}`)), timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        if (output.length < 20) output.push(line);
        const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    }
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new MotoStartFailed(`cannot start ${binary}: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new MotoStartFailed(`moto_server exited with ${code} before listening: ${output.join(' | ')}`));
    });
  });
  child.stdout.resume();
  child.stderr.resume();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', kill);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
