import { describe, expect, it } from 'vitest';
import { describeOrigin, parseGnuTime, terraformCliConfig } from './provider-mirror';

describe('the provider mirror', () => {
  it("reads GNU time's wall clock (either spelling) and peak memory", () => {
    const text = '\tElapsed (wall clock) time (h:mm:ss or m:ss): 1:02:03\n\tMaximum resident set size (kbytes): 4194304\n';
    expect(parseGnuTime(text)).toEqual({ wall: '1:02:03', wallSeconds: 3723, peakRssBytes: 4 * 1024 ** 3 });
    expect(parseGnuTime(text.replace('1:02:03', '7:30.50'))?.wallSeconds).toBe(450.5);
    expect(parseGnuTime('Command exited with non-zero status 1')).toBeUndefined();
  });

  it('names the exact commit a pseudo-version was built from', () => {
    expect(describeOrigin('github.com/hashicorp/terraform-provider-aws@v1.60.1-0.20260602190131-5f2286d6d836')).toBe(
      'built from github.com/hashicorp/terraform-provider-aws commit 5f2286d6d836 (2026-06-02 19:01:31 UTC)',
    );
    // Registered under the pinned version whatever it is: the summary says what the source calls itself.
    expect(describeOrigin('github.com/hashicorp/terraform-provider-aws@v1.60.1-0.20260602190131-5f2286d6d836', '6.47.1 (CHANGELOG: 6.48.0 (Unreleased))')).toBe(
      'built from github.com/hashicorp/terraform-provider-aws commit 5f2286d6d836 (2026-06-02 19:01:31 UTC), whose source says version 6.47.1 (CHANGELOG: 6.48.0 (Unreleased))',
    );
  });

  it('installs hashicorp/aws from the mirror only, never from the registry', () => {
    const config = terraformCliConfig('/cache/terraform-plugins');
    expect(config).toMatch(/filesystem_mirror \{\s+path\s+= "\/cache\/terraform-plugins"\s+include = \["registry.terraform.io\/hashicorp\/aws"\]/);
    expect(config).toMatch(/direct \{\s+exclude = \["registry.terraform.io\/hashicorp\/aws"\]/);
  });
});
