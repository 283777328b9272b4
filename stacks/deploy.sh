#!/usr/bin/env bash
# Deploys, trains and tears down the AWS half with terraform or tofu:
#   stacks/deploy.sh check          prerequisites only (terraform/tofu, working AWS credentials)
#   stacks/deploy.sh infra          synth, apply brewlake-lake
#   stacks/deploy.sh model          synth, apply brewlake-model, create the admin token if absent,
#                                   train on Athena into the registry, upload Swagger UI, print the endpoint
#   stacks/deploy.sh destroy        synth, destroy brewlake-model then brewlake-lake (see docs/deploy.md)
#   stacks/deploy.sh state-bucket   create the S3 bucket for shared state (BREWLAKE_STATE_BUCKET)
#   stacks/deploy.sh output STACK NAME
# Every prerequisite is checked first and named when missing, before anything is touched.
# Terraform outputs are read here, at run time, after the apply that creates them.
#
# One region: the one synthesized into the stacks' provider (AWS_REGION at synth, default in
# stacks/config.ts). This script reads it back from the JSON and hands it to every aws call
# (--region) and to brewlake train, so nothing follows a profile's own region by accident.
#
# Settings read here: BREWLAKE_AUTO_APPROVE=1 (no interactive approval), BREWLAKE_FORCE_DESTROY=1
# (destroy buckets with their objects), BREWLAKE_CLI (the brewlake command), CDKTF_OUTDIR.
set -euo pipefail
# Plain bash 3.2 (macOS) is enough: no mapfile, and empty arrays expanded with ${a[@]+...}.
cd "$(dirname "$0")/.."

lake_stack=brewlake-lake
model_stack=brewlake-model
out="${CDKTF_OUTDIR:-cdktf.out}"
brewlake="${BREWLAKE_CLI:-node bin/brewlake.mjs}"
approve=()
[ "${BREWLAKE_AUTO_APPROVE:-}" = 1 ] && approve=(-auto-approve)

usage="usage: stacks/deploy.sh check|infra|model|destroy|state-bucket|output STACK NAME"
action="${1:?$usage}"

# ---- prerequisites: said once, all of them, before anything changes
missing=()
tf=""
if command -v terraform >/dev/null 2>&1; then tf=terraform; elif command -v tofu >/dev/null 2>&1; then tf=tofu; else
  missing+=("terraform (>= 1.10) or tofu (>= 1.10) on PATH (https://developer.hashicorp.com/terraform/install or https://opentofu.org/docs/intro/install/)")
fi
needs_aws_cli=1
[ "$action" = output ] && needs_aws_cli=0
if [ "$needs_aws_cli" = 1 ] && ! command -v aws >/dev/null 2>&1; then
  missing+=("the AWS CLI v2 on PATH (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)")
fi
if [ -z "${AWS_ACCESS_KEY_ID:-}" ] && [ -z "${AWS_PROFILE:-}" ] && [ -z "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] && [ ! -f "${HOME}/.aws/credentials" ] && [ ! -f "${HOME}/.aws/config" ]; then
  missing+=("AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run 'aws configure'")
elif command -v aws >/dev/null 2>&1 && ! aws sts get-caller-identity --region "${AWS_REGION:-us-east-1}" >/dev/null 2>&1; then
  missing+=("working AWS credentials: 'aws sts get-caller-identity' failed (expired session? wrong profile?)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "cannot deploy, nothing was changed. Missing:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 1
fi
[ "$action" = check ] && { echo "prerequisites ok: $tf, aws, AWS credentials"; exit 0; }

synth() { npx tsx stacks/main.ts >&2; }
stack_dir() { echo "$out/stacks/$1"; }
# The region both stacks were synthesized for; they must agree.
synthesized_region() {
  node -e '
    const [lake, model] = process.argv.slice(1).map((f) => require(require("node:path").resolve(f)).provider.aws[0].region);
    if (lake !== model) { console.error(`the stacks disagree on the region (${lake} vs ${model}): run make synth again`); process.exit(1); }
    console.log(lake);' "$(stack_dir $lake_stack)/cdk.tf.json" "$(stack_dir $model_stack)/cdk.tf.json"
}
tf_init() { "$tf" -chdir="$(stack_dir "$1")" init -input=false >&2; }
tf_output() { "$tf" -chdir="$(stack_dir "$1")" output -raw "$2"; }
# Empty when the stack has never been applied (or its state is gone).
tf_has_state() { [ -n "$("$tf" -chdir="$(stack_dir "$1")" state list 2>/dev/null || true)" ]; }

use_region() {
  region=$(synthesized_region)
  export AWS_REGION="$region" AWS_DEFAULT_REGION="$region"
  echo "region: $region" >&2
}

# ---- the admin token: created here when absent, never overwritten, never in Terraform
ensure_admin_token() {
  local name="$1" err
  if err=$(aws ssm get-parameter --name "$name" --region "$region" --query Parameter.Name --output text 2>&1 >/dev/null); then
    echo "admin token: $name exists, left as it is" >&2
    return
  fi
  case "$err" in *ParameterNotFound*) ;; *) echo "cannot read SSM parameter $name: $err" >&2; return 1 ;; esac
  local input
  input=$(umask 077; mktemp)
  # The value goes through a private file, never an argument another process could list.
  node -e '
    const { randomBytes } = require("node:crypto");
    require("node:fs").writeFileSync(process.argv[1], JSON.stringify({ Name: process.argv[2], Type: "SecureString", Value: randomBytes(32).toString("hex"), Description: "brewlake admin token (POST /retrain, /models/{version}/promote)" }), { mode: 0o600 });' "$input" "$name"
  if ! err=$(aws ssm put-parameter --cli-input-json "file://$input" --region "$region" 2>&1 >/dev/null); then
    rm -f "$input"
    # Someone else created it in between: theirs stands.
    case "$err" in *ParameterAlreadyExists*) echo "admin token: $name exists, left as it is" >&2; return ;; esac
    echo "cannot create SSM parameter $name: $err" >&2; return 1
  fi
  rm -f "$input"
  echo "admin token: generated into $name; read it with: aws ssm get-parameter --name $name --with-decryption --query Parameter.Value --output text --region $region" >&2
}

# ---- destroy: refuse up front rather than fail half-way
bucket_outputs() { # the bucket outputs a stack has
  case "$1" in $lake_stack) echo lake_bucket athena_results_bucket ;; $model_stack) echo models_bucket ;; esac
}
bucket_has_objects() {
  aws s3api list-object-versions --bucket "$1" --max-items 1 --region "$region" --output json |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const j=s.trim()?JSON.parse(s):{};process.exit((j.Versions?.length||0)+(j.DeleteMarkers?.length||0)>0?0:1)})'
}
# Addresses of the resources that guard every bucket, from the synthesized JSON.
guard_targets() {
  node -e '
    const r = require(require("node:path").resolve(process.argv[1])).resource;
    for (const type of ["aws_s3_bucket_public_access_block", "aws_s3_bucket_policy"]) for (const name of Object.keys(r[type] ?? {})) console.log(`-target=${type}.${name}`);' "$(stack_dir "$1")/cdk.tf.json"
}
bucket_targets() {
  node -e 'const r = require(require("node:path").resolve(process.argv[1])).resource; for (const name of Object.keys(r.aws_s3_bucket ?? {})) console.log(`-target=aws_s3_bucket.${name}`);' "$(stack_dir "$1")/cdk.tf.json"
}

destroy_stacks() {
  local stack bucket name nonempty=() live=()
  for stack in $model_stack $lake_stack; do
    tf_init "$stack"
    if ! tf_has_state "$stack"; then echo "$stack: nothing deployed" >&2; continue; fi
    live+=("$stack")
    for name in $(bucket_outputs "$stack"); do
      bucket=$(tf_output "$stack" "$name" 2>/dev/null || true)
      [ -n "$bucket" ] && bucket_has_objects "$bucket" && nonempty+=("$bucket")
    done
  done
  if [ ${#nonempty[@]} -gt 0 ] && [ "${BREWLAKE_FORCE_DESTROY:-}" != 1 ]; then
    echo "cannot destroy, nothing was changed: these buckets hold objects (versions or delete markers):" >&2
    for bucket in "${nonempty[@]}"; do echo "  - s3://$bucket" >&2; done
    echo "Keep the data (the default), or delete it with the stacks: BREWLAKE_FORCE_DESTROY=1 make destroy" >&2
    exit 1
  fi
  for stack in ${live[@]+"${live[@]}"}; do
    local dir; dir=$(stack_dir "$stack")
    if [ "${BREWLAKE_FORCE_DESTROY:-}" = 1 ]; then
      # The synth set force_destroy on every bucket; record it in the state so the provider
      # deletes every version and delete marker when it deletes the bucket, after the writers are gone.
      # shellcheck disable=SC2046 # one -target=address per line, no spaces in addresses
      "$tf" -chdir="$dir" apply -input=false -auto-approve $(bucket_targets "$stack") >&2
    fi
    if ! "$tf" -chdir="$dir" destroy -input=false ${approve[@]+"${approve[@]}"}; then
      # Terraform removes a bucket's guards before the bucket: put them back on whatever is left.
      echo "$stack: destroy failed; restoring the public-access block and TLS-only policy of every bucket still standing" >&2
      # shellcheck disable=SC2046 # one -target=address per line, no spaces in addresses
      "$tf" -chdir="$dir" apply -input=false -auto-approve $(guard_targets "$stack") >&2 || echo "$stack: restoring the bucket guards failed too: run 'make deploy_infra' to put them back" >&2
      exit 1
    fi
  done
}

# ---- shared state: a versioned, encrypted, non-public bucket, created once
create_state_bucket() {
  local bucket="${BREWLAKE_STATE_BUCKET:-}" state_region="${BREWLAKE_STATE_REGION:-$region}"
  [ -n "$bucket" ] || { echo "BREWLAKE_STATE_BUCKET: set it to the state bucket's name (e.g. BREWLAKE_STATE_BUCKET=acme-brewlake-state make state_bucket)" >&2; exit 2; }
  if aws s3api head-bucket --bucket "$bucket" --region "$state_region" >/dev/null 2>&1; then
    echo "s3://$bucket exists; making sure it is versioned, encrypted and not public" >&2
  elif [ "$state_region" = us-east-1 ]; then
    aws s3api create-bucket --bucket "$bucket" --region "$state_region" >/dev/null
  else
    aws s3api create-bucket --bucket "$bucket" --region "$state_region" --create-bucket-configuration "LocationConstraint=$state_region" >/dev/null
  fi
  aws s3api put-public-access-block --bucket "$bucket" --region "$state_region" \
    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  aws s3api put-bucket-versioning --bucket "$bucket" --region "$state_region" --versioning-configuration Status=Enabled
  aws s3api put-bucket-encryption --bucket "$bucket" --region "$state_region" \
    --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'
  aws s3api put-bucket-policy --bucket "$bucket" --region "$state_region" --policy \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::$bucket\",\"arn:aws:s3:::$bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"
  echo "state bucket ready: s3://$bucket ($state_region). Use it: export BREWLAKE_STATE_BUCKET=$bucket BREWLAKE_STATE_REGION=$state_region" >&2
}

case "$action" in
  infra)
    synth; use_region
    tf_init $lake_stack
    "$tf" -chdir="$(stack_dir $lake_stack)" apply -input=false ${approve[@]+"${approve[@]}"}
    ;;
  model)
    synth; use_region
    tf_init $lake_stack
    workgroup=$(tf_output $lake_stack athena_workgroup 2>/dev/null || true)
    database=$(tf_output $lake_stack glue_database 2>/dev/null || true)
    if [ -z "$workgroup" ] || [ -z "$database" ]; then
      echo "cannot deploy the model, nothing was changed: the lake stack is not deployed in $region (no athena_workgroup/glue_database output). Run 'make deploy_infra' first." >&2
      exit 1
    fi
    tf_init $model_stack
    "$tf" -chdir="$(stack_dir $model_stack)" apply -input=false ${approve[@]+"${approve[@]}"}
    # Read after the apply that creates them.
    registry=$(tf_output $model_stack registry)
    docs_assets=$(tf_output $model_stack docs_assets)
    token_parameter=$(tf_output $model_stack admin_token_parameter)
    endpoint=$(tf_output $model_stack endpoint)
    ensure_admin_token "$token_parameter"
    $brewlake train --engine athena --region "$region" --workgroup "$workgroup" --database "$database" --registry "$registry"
    aws s3 sync --only-show-errors --region "$region" node_modules/swagger-ui-dist "$docs_assets"
    echo "endpoint: $endpoint"
    ;;
  destroy)
    synth; use_region
    destroy_stacks
    ;;
  state-bucket)
    synth; use_region
    create_state_bucket
    ;;
  output)
    stack="${2:?which stack: $lake_stack or $model_stack}"
    [ -f "$(stack_dir "$stack")/cdk.tf.json" ] || { echo "no $(stack_dir "$stack")/cdk.tf.json: run 'make synth' first" >&2; exit 1; }
    tf_output "$stack" "${3:?output name}"
    ;;
  *) echo "$usage" >&2; exit 2 ;;
esac
