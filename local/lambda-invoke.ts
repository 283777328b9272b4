/**
 * Calling a Lambda handler in-process the way the Lambda runtime does: with a context
 * object, and accepting either a returned promise or the callback. The local lake runs
 * the very handlers AWS runs through this.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Handler } from 'aws-lambda';

export interface LocalFunction {
  readonly functionName: string;
  readonly region: string;
  readonly account: string;
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
}

export const localFunctionArn = (fn: LocalFunction) => `arn:aws:lambda:${fn.region}:${fn.account}:function:${fn.functionName}`;

function lambdaContext(fn: LocalFunction): Context {
  const deadline = Date.now() + (fn.timeoutMs ?? 60_000);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: localFunctionArn(fn),
    memoryLimitInMB: String(fn.memoryMb ?? 512),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Invokes `handler` once with `event`; resolves with its result or rejects with its error. */
export function invokeLocally<E, R>(handler: Handler<E, R>, event: E, fn: LocalFunction): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    try {
      const returned = handler(event, lambdaContext(fn), (error, result) => (error ? reject(error) : resolve(result as R)));
      if (returned && typeof (returned as Promise<R>).then === 'function') (returned as Promise<R>).then(resolve, reject);
    } catch (error) {
      reject(error);
    }
  });
}
