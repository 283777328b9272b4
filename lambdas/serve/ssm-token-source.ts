/** The admin token in AWS: a SecureString in SSM Parameter Store, read by name and cached. */
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { cachedTokenSource, type TokenSource } from './admin-token';

/** The environment variable naming the parameter. */
export const adminTokenParameterEnv = 'BREWLAKE_ADMIN_TOKEN_PARAMETER';

/** Re-read every five minutes, so a rotated token takes effect without a deploy. */
const tokenTtlMs = 5 * 60_000;

export function ssmTokenSource(parameterName: string, client: Pick<SSMClient, 'send'> = new SSMClient({})): TokenSource {
  return cachedTokenSource(async () => {
    try {
      const out = await client.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
      return out.Parameter?.Value || undefined;
    } catch (error) {
      // A missing parameter means "no token configured" (admin routes refuse); anything else is an outage.
      if (error instanceof ParameterNotFound) return undefined;
      throw error;
    }
  }, tokenTtlMs);
}
