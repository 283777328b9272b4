import { expect, it } from 'vitest';
import { memoBySpelling } from './spelling-memo';

it('reads each spelling once, seeds the known ones, and past its bound still answers without remembering', () => {
  const reads: string[] = [];
  const upper = memoBySpelling((text) => (reads.push(text), text.toUpperCase()), ['start'], 3);
  expect(reads).toEqual(['start']);
  expect([upper('start'), upper('end'), upper('end'), upper('mid')]).toEqual(['START', 'END', 'END', 'MID']);
  expect(reads).toEqual(['start', 'end', 'mid']);
  expect([upper('dry'), upper('dry')]).toEqual(['DRY', 'DRY']);
  expect(reads).toEqual(['start', 'end', 'mid', 'dry', 'dry']);
});
