/**
 * Where moto lacks an API the hashicorp/aws provider needs for one of our resources: the one
 * reviewed list. Each entry names the resource type, the API call that fails and what moto
 * answers. `make verify_aws` leaves these resources (and whatever depends on them) out of
 * its targeted apply, counts every one in the summary, and docs/deploy.md lists them under
 * "Verified how": nothing is skipped silently.
 */
export interface MotoGap {
  /** A Terraform resource type, e.g. `aws_glue_crawler`. */
  readonly resourceType: string;
  /** The AWS API call the provider makes that moto does not implement (or answers wrongly). */
  readonly api: string;
  /** What happens against moto, in a line. */
  readonly symptom: string;
}

export const motoGaps: readonly MotoGap[] = [];
