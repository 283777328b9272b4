import { describe, expect, it } from 'vitest';
import { registryLocation } from './train';

describe('brewlake train --registry', () => {
  it.each(['', ' ', '\t'])('refuses an empty --registry (%j), naming the option, instead of writing into ./versions/', (registry) => {
    expect(() => registryLocation({ registry, lake: 'lake' })).toThrow(/^--registry is empty/);
  });

  it('defaults to <lake>/_models when the option is left out, and keeps a given location', () => {
    expect(registryLocation({ lake: 'lake' })).toBe('lake/_models');
    expect(registryLocation({ registry: 's3://models-bucket/models/', lake: 'lake' })).toBe('s3://models-bucket/models/');
  });
});
