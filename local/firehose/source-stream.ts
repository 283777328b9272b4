/** The Kinesis stream a delivery stream reads: its ARN, region, account and creation time. */
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

export interface SourceStream {
  readonly streamName: string;
  readonly streamArn: string;
  readonly createdAt: Date;
  readonly region: string;
  readonly account: string;
}

export async function describeSourceStream(kinesis: KinesisClient, streamName: string): Promise<SourceStream> {
  const { StreamDescriptionSummary: s } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
  const streamArn = s?.StreamARN ?? '';
  // arn:aws:kinesis:<region>:<account>:stream/<name>
  const [, , , region = 'us-east-1', account = '000000000000'] = streamArn.split(':');
  return { streamName, streamArn, createdAt: s?.StreamCreationTimestamp ?? new Date(0), region, account };
}
