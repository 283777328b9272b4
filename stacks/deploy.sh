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
# The minimum is cdktf.json's targetVersions, the one source (the JSON's required_version says the same).
if [ -n "$tf" ]; then
  too_old=$(node -e '
    const [bin, line] = process.argv.slice(1);
    const min = require("./cdktf.json").targetVersions[bin === "tofu" ? "opentofu" : "terraform"].replace(/^>=\s*/, "");
    const found = /v(\d+)\.(\d+)\.(\d+)/.exec(line);
    const older = (a, b) => { for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i]; return false; };
    const why = "S3 native state locking (use_lockfile) and the stacks\x27 required_version need it";
    if (!found) console.log(`${bin} >= ${min} (could not read its version from "${bin} version": ${JSON.stringify(line)}); ${why}`);
    else if (older(found.slice(1).map(Number), min.split(".").map(Number))) console.log(`${bin} >= ${min} (found ${found.slice(1).join(".")}): ${why}`);' "$tf" "$("$tf" version 2>/dev/null | head -n 1)")
  [ -n "$too_old" ] && missing+=("$too_old")
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
# Errors are never read as "nothing there": a command's stderr goes to this file, and only the
# answers that mean "none" (named below) count as empty; anything else stops, saying what failed.
errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
# The managed resources in a stack's state, one address a line; empty when it has no state.
tf_state_list() {
  local list
  if list=$("$tf" -chdir="$(stack_dir "$1")" state list 2>"$errfile"); then echo "$list"; return; fi
  case "$(cat "$errfile")" in *"No state file was found"*) return ;; esac
  echo "$1: 'terraform state list' failed: $(cat "$errfile")" >&2
  return 1
}

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

# ---- reserved concurrency: Lambda refuses a reservation that leaves the account fewer than 100
# unreserved concurrent executions, and new accounts start with a quota far below 1000.
# Said before the apply, instead of failing in the middle of it.
check_concurrency_quota() {
  local wanted fn unreserved current
  read -r fn wanted <<<"$(node -e '
    const r = require(require("node:path").resolve(process.argv[1])).resource.aws_lambda_function ?? {};
    for (const f of Object.values(r)) if (f.reserved_concurrent_executions !== undefined) console.log(f.function_name, f.reserved_concurrent_executions);' "$(stack_dir $model_stack)/cdk.tf.json")"
  [ -n "$wanted" ] || return 0
  if ! unreserved=$(aws lambda get-account-settings --query AccountLimit.UnreservedConcurrentExecutions --output text --region "$region" 2>"$errfile"); then
    echo "cannot deploy the model, nothing was changed: 'aws lambda get-account-settings' failed: $(cat "$errfile")" >&2; return 1
  fi
  # A redeploy: the function's own reservation is already taken out of the unreserved pool.
  if ! current=$(aws lambda get-function-concurrency --function-name "$fn" --query ReservedConcurrentExecutions --output text --region "$region" 2>"$errfile"); then
    case "$(cat "$errfile")" in *ResourceNotFoundException*) current=0 ;; *) echo "cannot deploy the model, nothing was changed: 'aws lambda get-function-concurrency' failed: $(cat "$errfile")" >&2; return 1 ;; esac
  fi
  case "$current" in ''|None|null) current=0 ;; esac
  case "$unreserved$current" in *[!0-9]*) echo "cannot deploy the model, nothing was changed: unreadable concurrency from aws lambda: unreserved '$unreserved', reserved '$current'" >&2; return 1 ;; esac
  local pool=$((unreserved + current))
  if [ "$pool" -lt $((wanted + 100)) ]; then
    echo "cannot deploy the model, nothing was changed: BREWLAKE_SERVE_CONCURRENCY=$wanted would reserve $wanted of the $pool unreserved concurrent executions this account has in $region, and Lambda keeps at least 100 unreserved." >&2
    echo "Set BREWLAKE_SERVE_CONCURRENCY=off$([ "$pool" -gt 100 ] && echo " (or at most $((pool - 100)))"), or ask for a higher 'Concurrent executions' quota (Service Quotas, AWS Lambda) in $region." >&2
    return 1
  fi
  echo "reserved concurrency: $wanted of $pool unreserved in $region, leaving $((pool - wanted))" >&2
}

# ---- destroy: refuse up front rather than fail half-way
bucket_outputs() { # the bucket outputs a stack has
  case "$1" in $lake_stack) echo lake_bucket athena_results_bucket ;; $model_stack) echo models_bucket ;; esac
}
# A bucket output's value; empty when the state has no such output (the bucket was never created).
bucket_output() {
  local value
  if value=$(tf_output "$1" "$2" 2>"$errfile"); then echo "$value"; return; fi
  case "$(cat "$errfile")" in *"Output \"$2\" not found"*|*"No outputs found"*) return ;; esac
  echo "cannot destroy, nothing was changed: 'terraform output $2' of $1 failed: $(cat "$errfile")" >&2
  return 1
}
# Prints yes when the bucket holds any object version or delete marker, no when it holds none or
# is gone (NoSuchBucket); any other error (AccessDenied, expired credentials, ...) stops the teardown.
bucket_has_objects() {
  local listing
  if ! listing=$(aws s3api list-object-versions --bucket "$1" --max-items 1 --region "$region" --output json 2>"$errfile"); then
    case "$(cat "$errfile")" in *NoSuchBucket*) echo no; return ;; esac
    echo "cannot destroy, nothing was changed: cannot tell whether s3://$1 holds objects: $(cat "$errfile")" >&2
    return 1
  fi
  printf '%s' "$listing" | node -e '
    let s = "";
    process.stdin.on("data", (d) => (s += d)).on("end", () => {
      let j;
      try { j = s.trim() ? JSON.parse(s) : {}; } catch { console.error(`unreadable answer from aws s3api list-object-versions: ${s.slice(0, 200)}`); process.exit(1); }
      console.log((j.Versions?.length || 0) + (j.DeleteMarkers?.length || 0) > 0 ? "yes" : "no");
    });' || { echo "cannot destroy, nothing was changed: cannot tell whether s3://$1 holds objects" >&2; return 1; }
}
# The guards (public-access block, TLS-only policy, versioning) of the buckets still in the state,
# as -target arguments. A guard whose bucket is gone is left out: -target pulls a resource's
# dependencies, so targeting it would create its destroyed bucket again.
guard_targets() {
  node -e '
    const [file, state] = process.argv.slice(1);
    const r = require(require("node:path").resolve(file)).resource;
    const standing = new Set(state.split("\n").filter((a) => a.startsWith("aws_s3_bucket.")).map((a) => a.slice("aws_s3_bucket.".length)));
    for (const type of ["aws_s3_bucket_public_access_block", "aws_s3_bucket_policy", "aws_s3_bucket_versioning"])
      for (const [name, body] of Object.entries(r[type] ?? {})) {
        const bucket = /^\$\{aws_s3_bucket\.([^.}]+)\./.exec(body.bucket)?.[1];
        if (bucket !== undefined && standing.has(bucket)) console.log(`-target=${type}.${name}`);
      }' "$(stack_dir "$1")/cdk.tf.json" "$2"
}
bucket_targets() {
  node -e 'const r = require(require("node:path").resolve(process.argv[1])).resource; for (const name of Object.keys(r.aws_s3_bucket ?? {})) console.log(`-target=aws_s3_bucket.${name}`);' "$(stack_dir "$1")/cdk.tf.json"
}

destroy_stacks() {
  local stack bucket name state has nonempty=() live=()
  for stack in $model_stack $lake_stack; do
    tf_init "$stack"
    state=$(tf_state_list "$stack") || { echo "cannot destroy, nothing was changed." >&2; exit 1; }
    if [ -z "$state" ]; then echo "$stack: nothing deployed" >&2; continue; fi
    live+=("$stack")
    for name in $(bucket_outputs "$stack"); do
      bucket=$(bucket_output "$stack" "$name") || exit 1
      [ -n "$bucket" ] || continue
      has=$(bucket_has_objects "$bucket") || exit 1
      [ "$has" = yes ] && nonempty+=("$bucket")
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
      echo "$stack: destroy failed; restoring the public-access block, TLS-only policy and versioning of every bucket still standing" >&2
      local standing targets
      if standing=$(tf_state_list "$stack") && targets=$(guard_targets "$stack" "$standing"); then
        # shellcheck disable=SC2086 # one -target=address per line, no spaces in addresses
        [ -z "$targets" ] || "$tf" -chdir="$dir" apply -input=false -auto-approve $targets >&2 || echo "$stack: restoring the bucket guards failed too: run 'make deploy_infra' to put them back" >&2
      else
        echo "$stack: could not tell which buckets still stand: run 'make deploy_infra' to put their guards back" >&2
      fi
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
    check_concurrency_quota
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
