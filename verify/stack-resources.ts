/**
 * The managed resources of a synthesized stack (cdk.tf.json) and what each refers to, so a
 * resource moto cannot create can be left out together with everything that depends on it,
 * and every resource left out is named with the reason.
 */
import type { MotoGap } from './moto-gaps';

export interface StackJson {
  readonly resource?: Record<string, Record<string, unknown>>;
}

/** `aws_s3_bucket.lake_bucket_1234` for every managed resource. */
export function resourceAddresses(stack: StackJson): string[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
}

/** The resources one resource names, by interpolation (`${type.name.attr}`) or `depends_on`. */
export function referencesOf(body: unknown, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const text = JSON.stringify(body);
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    for (const ref of match[1]!.matchAll(/\b([a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)/g)) if (known.has(ref[1]!)) found.add(ref[1]!);
  }
  const dependsOn = (body as { depends_on?: unknown }).depends_on;
  if (Array.isArray(dependsOn)) for (const d of dependsOn) if (typeof d === 'string' && known.has(d)) found.add(d);
  return found;
}

export interface Exclusion {
  readonly address: string;
  /** The gap itself, or the gap resource this one depends on. */
  readonly reason: string;
  readonly gap: MotoGap;
  /** True for the resource the gap is about; false for one left out only because it depends on it. */
  readonly direct: boolean;
}

/** Resources a `create` gap rules out: its resource type's instances, then (transitively) everything referring to them. */
export function exclusionsFor(stack: StackJson, gaps: readonly MotoGap[]): Exclusion[] {
  const addresses = resourceAddresses(stack);
  const known = new Set(addresses);
  const refs = new Map<string, Set<string>>();
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) refs.set(`${type}.${name}`, referencesOf(body, known));
  }
  const excluded = new Map<string, Exclusion>();
  for (const address of addresses) {
    const gap = gaps.find((g) => g.kind === 'create' && address.startsWith(`${g.resourceType}.`));
    if (gap) excluded.set(address, { address, reason: `moto lacks ${gap.api}: ${gap.symptom}`, gap, direct: true });
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const address of addresses) {
      if (excluded.has(address)) continue;
      const cause = [...refs.get(address)!].find((r) => excluded.has(r));
      if (cause) {
        const root = excluded.get(cause)!;
        excluded.set(address, { address, reason: `depends on ${cause} (${root.gap.api})`, gap: root.gap, direct: false });
        changed = true;
      }
    }
  }
  return [...excluded.values()];
}
