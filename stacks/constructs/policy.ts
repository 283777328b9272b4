/** IAM policy documents as data: every statement names its actions and resources. */
export interface PolicyStatement {
  readonly sid?: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly effect?: 'Allow' | 'Deny';
  /** Resource policies only (a bucket or key policy names who it is about). */
  readonly principal?: '*' | { readonly Service: string } | { readonly AWS: string };
  readonly condition?: Record<string, Record<string, string | string[]>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      ...(s.principal ? { Principal: s.principal } : {}),
      Action: s.actions,
      Resource: s.resources,
      ...(s.condition ? { Condition: s.condition } : {}),
    })),
  });
}

export function assumeRolePolicy(service: string): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });
}

/**
 * IAM is global while everything else here is regional: a role name carries its region, so
 * the same prefix deployed to a second region gets its own roles instead of colliding.
 */
export function regionalRoleName(name: string, region: string): string {
  const roleName = `${name}-${region}`;
  if (roleName.length > 64) throw new RangeError(`IAM role name ${roleName} is longer than IAM's 64 characters: shorten BREWLAKE_NAME_PREFIX`);
  return roleName;
}
