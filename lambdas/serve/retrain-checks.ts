/**
 * Training sets that cannot teach a model anything, refused before any training: a
 * constant target, or no base feature known in any record. (Too few records is refused by
 * the request schema.)
 */
import { baseFeatureNames } from '../../glue/schema';
import type { LabelledBeerInput } from './beer-request-schema';
import type { FieldIssue } from './request-errors';

export function degenerateTrainingSetIssues(records: readonly LabelledBeerInput[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const first = records[0]?.ibu;
  if (first !== undefined && records.every((r) => r.ibu === first)) {
    issues.push({ path: 'records[].ibu', reason: `every record has ibu ${first}: a constant target teaches nothing` });
  }
  if (records.every((r) => baseFeatureNames.every((name) => r[name] === null))) {
    issues.push({ path: `records[].{${baseFeatureNames.join(',')}}`, reason: 'no record has any base feature: all are null' });
  }
  return issues;
}
