import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactedDayObjectName, compactedObjectName, dayFolder, dayOfFolder, firehoseObjectKey, hourFolder, hourFoldersInWindow, hourOfFolder, isCompactedDayObjectName, isCompactedObjectName, InvalidTimeWindow } from './layout';

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

describe('hourFoldersInWindow', () => {
  const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });

  it('for every window and every event in it delivered within the lateness, lists the folder it lands in, and only hours that can hold one', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 72 * 3_600_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 3_600_000 }), (from, span, where, delay) => {
        const to = new Date(from.getTime() + span);
        const folders = hourFoldersInWindow({ from, to });
        const event = from.getTime() + Math.floor(where * span);
        expect(folders).toContain(hourFolder(new Date(event + delay)));
        // Oldest first, consecutive, no hour before `from`'s nor after `to + 1 h`'s.
        expect(folders[0]).toBe(hourFolder(from));
        expect(folders.at(-1)).toBe(hourFolder(new Date(to.getTime() + 3_600_000)));
        const starts = folders.map((f) => hourOfFolder(f)!.getTime());
        starts.forEach((s, i) => i > 0 && expect(s - starts[i - 1]!).toBe(3_600_000));
      }),
    );
  });

  it('a 24 h window touches 26 hours at most, whatever the lake holds', () => {
    expect(hourFoldersInWindow({ from: new Date('2024-06-01T10:15:00Z'), to: new Date('2024-06-02T10:15:00Z') })).toHaveLength(26);
  });

  it('refuses a window that ends before it starts, or an invalid time, naming the bound', () => {
    expect(() => hourFoldersInWindow({ from: new Date('2024-06-02T00:00:00Z'), to: new Date('2024-06-01T00:00:00Z') })).toThrow(InvalidTimeWindow);
    expect(() => hourFoldersInWindow({ from: new Date('nope'), to: new Date() })).toThrow(/window.from/);
    expect(() => hourFoldersInWindow({ from: new Date(0), to: new Date('2099-01-01T00:00:00Z') })).toThrow(/more than/);
  });

  it('names hours back from their folders, and nothing else', () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(hourOfFolder(hourFolder(t))!.getTime()).toBe(Math.floor(t.getTime() / 3_600_000) * 3_600_000);
      }),
    );
    expect(hourOfFolder('2024/02/30/01/')).toBeUndefined();
    expect(hourOfFolder('2024/02/01')).toBeUndefined();
  });

  it('names a compacted hour so that it is recognised, and no Firehose object is taken for one', () => {
    const hour = new Date('2024-06-01T20:00:00Z');
    expect(compactedObjectName(hour)).toBe('compacted-2024-06-01-20.parquet');
    expect(isCompactedObjectName(compactedObjectName(hour))).toBe(true);
    expect(isCompactedObjectName(firehoseObjectKey({ prefix: '', deliveryStream: 'cleaned', time: hour, id: 'x' }).split('/').at(-1)! + '.parquet')).toBe(false);
  });

  it('names days back from their folders, each hour folder sitting in its day folder', () => {
    fc.assert(
      fc.property(instant, (t) => {
        expect(hourFolder(t).startsWith(dayFolder(t))).toBe(true);
        expect(dayOfFolder(dayFolder(t))!.getTime()).toBe(Math.floor(t.getTime() / 86_400_000) * 86_400_000);
      }),
    );
    expect(dayOfFolder('2024/02/30/')).toBeUndefined();
    expect(dayOfFolder('2024/02/01/13/')).toBeUndefined();
  });

  it('tells a compacted day from a compacted hour and from any Firehose object', () => {
    const t = new Date('2024-06-01T20:00:00Z');
    expect(compactedDayObjectName(t)).toBe('compacted-2024-06-01.parquet');
    expect(isCompactedDayObjectName(compactedDayObjectName(t))).toBe(true);
    expect(isCompactedDayObjectName(compactedObjectName(t))).toBe(false);
    expect(isCompactedObjectName(compactedDayObjectName(t))).toBe(false);
    expect(isCompactedDayObjectName(firehoseObjectKey({ prefix: '', deliveryStream: 'cleaned', time: t, id: 'x' }).split('/').at(-1)! + '.parquet')).toBe(false);
  });
});
