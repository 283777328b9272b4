import { describe, expect, it } from 'vitest';
import { exclusionsFor, resourceAddresses } from './stack-resources';

const gap = { kind: 'create', resourceType: 'aws_glue_crawler', api: 'glue:CreateCrawler', symptom: 'not implemented' } as const;
const stack = {
  resource: {
    aws_iam_role: { crawler: { name: 'r' } },
    aws_glue_crawler: { lake: { role: '${aws_iam_role.crawler.arn}' } },
    aws_cloudwatch_metric_alarm: { crawler_failed: { dimensions: { CrawlerName: '${aws_glue_crawler.lake.name}' } } },
    aws_sns_topic: { alarms: { name: 't' } },
    aws_sns_topic_policy: { alarms: { depends_on: ['aws_cloudwatch_metric_alarm.crawler_failed'], arn: '${aws_sns_topic.alarms.arn}' } },
    aws_s3_bucket: { lake: { bucket_prefix: 'b', tags: { note: '${data.aws_caller_identity.account.account_id}' } } },
  },
};

describe('what a moto gap leaves out', () => {
  it('the gap resource and, transitively, everything that refers to it or depends on it; nothing it refers to', () => {
    const excluded = exclusionsFor(stack, [gap]);
    expect(excluded.map((e) => [e.address, e.direct])).toEqual([
      ['aws_glue_crawler.lake', true],
      ['aws_cloudwatch_metric_alarm.crawler_failed', false],
      ['aws_sns_topic_policy.alarms', false],
    ]);
    expect(excluded[2]!.reason).toBe('depends on aws_cloudwatch_metric_alarm.crawler_failed (glue:CreateCrawler)');
    expect(resourceAddresses(stack)).toHaveLength(6);
  });

  it('no create gap: nothing is left out (a read-back or delete gap keeps the resource applied)', () => {
    expect(exclusionsFor(stack, [])).toEqual([]);
    expect(exclusionsFor(stack, [{ ...gap, kind: 'delete' }, { ...gap, kind: 'read-back', attribute: 'tags_all' }])).toEqual([]);
  });
});
