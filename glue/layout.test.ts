import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firehoseObjectKey, hourFolder } from './layout';

describe('the lake key layout', () => {
  it('names a file exactly as Firehose does', () => {
    const key = firehoseObjectKey({ prefix: 'cleaned/', deliveryStream: 'brewlake-cleaned', time: new Date('2026-03-04T05:06:07.890Z'), id: 'abc' });
    expect(key).toBe('cleaned/2026/03/04/05/brewlake-cleaned-1-2026-03-04-05-06-07-abc');
  });

  it('for every instant, the hour folder is the UTC hour the key names', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }), (time) => {
        const key = firehoseObjectKey({ prefix: 'raw/', deliveryStream: 's', time, id: 'x' });
        const [, y, m, d, h] = /^raw\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key)!;
        expect(new Date(Date.UTC(+y!, +m! - 1, +d!, +h!)).getTime()).toBe(Math.floor(time.getTime() / 3_600_000) * 3_600_000);
        expect(key.startsWith(`raw/${hourFolder(time)}`)).toBe(true);
      }),
    );
  });
});
