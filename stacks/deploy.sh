#!/usr/bin/env bash
# Applies a synthesized stack with terraform or tofu: `stacks/deploy.sh check|apply|destroy|output STACK [NAME]`.
# Checks every prerequisite first and names exactly what is missing before touching anything.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
tf=""
if command -v terraform >/dev/null 2>&1; then tf=terraform; elif command -v tofu >/dev/null 2>&1; then tf=tofu; else
  missing+=("terraform or tofu on PATH (https://developer.hashicorp.com/terraform/install or https://opentofu.org/docs/intro/install/)")
fi
if [ -z "${AWS_ACCESS_KEY_ID:-}" ] && [ -z "${AWS_PROFILE:-}" ] && [ -z "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] && [ ! -f "${HOME}/.aws/credentials" ] && [ ! -f "${HOME}/.aws/config" ]; then
  missing+=("AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'")
elif command -v aws >/dev/null 2>&1 && ! aws sts get-caller-identity >/dev/null 2>&1; then
  missing+=("working AWS credentials: 'aws sts get-caller-identity' failed (expired session? wrong profile?)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "cannot deploy, nothing was changed. Missing:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi

action="${1:?usage: stacks/deploy.sh check|apply|destroy|output STACK [NAME]}"
[ "$action" = check ] && { echo "prerequisites ok: $tf, AWS credentials"; exit 0; }
stack="${2:?which stack: brewlake-lake or brewlake-model}"
dir="cdktf.out/stacks/$stack"
[ -f "$dir/cdk.tf.json" ] || { echo "no $dir/cdk.tf.json: run 'make synth' first" >&2; exit 1; }
case "$action" in
  apply) "$tf" -chdir="$dir" init -input=false >/dev/null && "$tf" -chdir="$dir" apply -input=false ;;
  destroy) "$tf" -chdir="$dir" init -input=false >/dev/null && "$tf" -chdir="$dir" destroy -input=false ;;
  output) "$tf" -chdir="$dir" output -raw "${3:?output name}" ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
