/**
 * Every error the app answers has one JSON shape: a name a client can branch on, a
 * message a person can read, and, for bad input, every offending field with its reason.
 */
import { z } from '@hono/zod-openapi';
import type { ZodError } from 'zod';

export interface FieldIssue {
  /** Where in the body: `abv`, `[3].ph`, `records[0].hops[1].grams`; empty for the body itself. */
  readonly path: string;
  readonly reason: string;
}

export type ErrorName =
  | 'InvalidRequest'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'MalformedJson'
  | 'MissingToken'
  | 'WrongToken'
  | 'TokenNotConfigured'
  | 'PlaceholderToken'
  | 'NotFound'
  | 'NoModelLoaded'
  | 'UnknownVersion'
  | 'DegenerateTrainingSet'
  | 'InternalError';

export interface ErrorBody {
  readonly error: { readonly name: ErrorName; readonly message: string; readonly issues?: readonly FieldIssue[] };
  readonly request_id: string;
}

export const errorBodySchema = z
  .object({
    error: z.object({
      name: z.string().openapi({ description: 'what went wrong, for programs: InvalidRequest, PayloadTooLarge, MissingToken, ...' }),
      message: z.string().openapi({ description: 'what went wrong, for people' }),
      issues: z
        .array(z.object({ path: z.string().openapi({ description: 'the offending field, e.g. [2].abv' }), reason: z.string() }))
        .optional()
        .openapi({ description: 'every offending field and why (bad input only)' }),
    }),
    request_id: z.string(),
  })
  .openapi('Error');

/** `['records', 0, 'hops', 1, 'grams']` → `records[0].hops[1].grams`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

/** Every issue zod found, one per field (zod reports all of them, not only the first). */
export function fieldIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), reason: issue.message }));
}

export function invalidRequestMessage(issues: readonly FieldIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || 'body'}: ${i.reason}`);
  return `${issues.length} invalid field${issues.length === 1 ? '' : 's'}: ${shown.join('; ')}${issues.length > 5 ? '; ...' : ''}`;
}
