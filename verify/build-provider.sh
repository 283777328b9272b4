#!/usr/bin/env bash
# Builds the real hashicorp/aws Terraform provider from source through the Go module proxy and
# registers it in a filesystem mirror outside the checkout, under the version the stacks pin.
# A user with internet never needs this: `terraform init` fetches the same provider from the registry.
#
# Why a pseudo-version: the provider's go.mod has no /v6 suffix, so the proxy cannot serve its
# v6.x release tags; it serves commits as v1.60.1-0.<time>-<hash>. The proxy reachable here
# serves exactly one recent commit (see PROVIDER_COMMIT below): we build that and say so.
#
# Usage: verify/build-provider.sh   (prints the mirror folder; a cached build is reused)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p 'require("./stacks/aws-provider.json").version')
: "${PROVIDER_MODULE:=github.com/hashicorp/terraform-provider-aws}"
# The nearest commit to the release that the module proxy serves here (2026-06-02 19:01:31 UTC).
: "${PROVIDER_COMMIT:=v1.60.1-0.20260602190131-5f2286d6d836}"
cache="${BREWLAKE_CACHE:-$HOME/.cache/brewlake}"
mirror="$cache/terraform-plugins"
target="$mirror/registry.terraform.io/hashicorp/aws/$version/linux_amd64"
binary="$target/terraform-provider-aws_v$version"
stamp="$target/BUILT_FROM"

# What the built source says it is (version/VERSION, the CHANGELOG's first heading): the
# commit is registered under the pinned version, and the docs and the summary say how far
# that is from it.
source_version() {
  local dir=$1
  echo "$(tr -d '[:space:]' < "$dir/version/VERSION") (CHANGELOG: $(grep -m1 '^## ' "$dir/CHANGELOG.md" | sed 's/^## //'))"
}
module_dir() {
  GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "$PROVIDER_MODULE@$PROVIDER_COMMIT" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))'
}

if [ -x "$binary" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$PROVIDER_MODULE@$PROVIDER_COMMIT" ]; then
  [ -s "$target/SOURCE_VERSION" ] || source_version "$(module_dir)" > "$target/SOURCE_VERSION"
  echo "$mirror"; exit 0
fi

echo "building $PROVIDER_MODULE@$PROVIDER_COMMIT as hashicorp/aws $version (cold build: tens of minutes)" >&2
export GOFLAGS=-mod=mod GOTOOLCHAIN=local
src=$(module_dir)
mkdir -p "$target"
log="$cache/provider-build.log"
# -p 1 and a bounded GOMAXPROCS keep the compiler's peak memory within this machine's means.
( cd "$src" && GOMAXPROCS="${PROVIDER_BUILD_PROCS:-2}" /usr/bin/time -v -o "$cache/provider-build.time" \
    go build -p "${PROVIDER_BUILD_PROCS:-2}" -trimpath -ldflags "-s -w" -o "$binary.tmp" . ) >"$log" 2>&1 \
  || { rm -f "$binary.tmp"; echo "provider build failed; see $log" >&2; tail -20 "$log" >&2; exit 1; }
mv "$binary.tmp" "$binary"
echo "$PROVIDER_MODULE@$PROVIDER_COMMIT" > "$stamp"
source_version "$src" > "$target/SOURCE_VERSION"
wall=$(grep 'Elapsed (wall clock)' "$cache/provider-build.time" | awk '{print $NF}')
rss=$(grep 'Maximum resident set size' "$cache/provider-build.time" | awk '{printf "%.1f GB", $NF/1048576}')
echo "provider built in $wall, peak memory $rss (go build, module downloads included)" >&2
echo "$mirror"
