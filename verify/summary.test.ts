import { describe, expect, it } from 'vitest';
import { formatSummary, wrap } from './summary';

describe('the verify_aws summary', () => {
  it('ends on exactly `verify_aws: N passed, M failed`, and counts NOT RUN rows visibly', () => {
    const text = formatSummary([
      { status: 'pass', item: 'checkov', detail: '128 passed, 0 failed, 44 suppressed' },
      { status: 'FAIL', item: 'brewlake-lake apply', detail: 'apply failed: aws_glue_crawler.lake: 501' },
      { status: 'NOT RUN', item: 'brewlake-lake destroy clean', detail: 'not applied' },
      { status: 'info', item: 'moto gaps', detail: 'none' },
    ]);
    const lines = text.split('\n');
    expect(lines.at(-1)).toBe('verify_aws: 1 passed, 1 failed');
    expect(text).toContain('not run: 1');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toHaveLength(1);
  });

  it('wraps long details without losing a character', () => {
    const detail = 'word '.repeat(60).trim();
    const parts = wrap(detail, 37);
    expect(parts.every((p) => p.length <= 37)).toBe(true);
    expect(parts.join(' ')).toBe(detail);
  });
});
