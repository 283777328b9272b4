# brewlake: every entry point. `make help` lists them.
# Each target installs what it needs: a fresh clone needs nothing else.

SHELL := /bin/bash
.DEFAULT_GOAL := help
BREWLAKE := node bin/brewlake.mjs
LAKE ?= lake

# npm ci runs again only when the lock file changes.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The CLI built once with esbuild (bin/build-cli.mjs) into dist/cli/, again when a source changes
# (bin/brewlake.mjs also rebuilds a stale build before running it).
CLI_SOURCES := $(shell find cli glue lambdas local model -name '*.ts' -not -name '*.test.ts') $(wildcard glue/queries/*.sql)
dist/cli/inputs.json: $(CLI_SOURCES) bin/build-cli.mjs node_modules/.package-lock.json
	node bin/build-cli.mjs

.PHONY: install
install: node_modules/.package-lock.json dist/cli/inputs.json ## install the npm dependencies (npm ci) and build the CLI

# The pinned PyPI tools (moto, checkov, DuckDB's CLI) in a virtualenv inside the checkout.
VENV := .venv
$(VENV)/.installed: requirements.txt requirements.lock
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	@touch $@

.PHONY: tools
tools: $(VENV)/.installed ## install the pinned PyPI tools into .venv/ (moto, checkov, duckdb CLI)

# Debian's Chromium drives the browser tests; install it once (needs root or sudo).
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z_]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: demo
demo: install ## the whole local lake, model and API, on the embedded default; then: .venv/bin/duckdb $(LAKE)/brewlake.duckdb
	@# A busy port is said now, not after the lake is built and a model trained.
	$(BREWLAKE) serve --check-port --lake $(LAKE) $(if $(PORT),--port $(PORT))
	$(BREWLAKE) demo --once --lake $(LAKE)
	$(BREWLAKE) train --lake $(LAKE)
	$(BREWLAKE) score --lake $(LAKE)
	$(BREWLAKE) serve --replay --lake $(LAKE) $(if $(PORT),--port $(PORT))

.PHONY: test
test: install tools chromium ## type-check and run every test (DuckDB's CLI from .venv opens a lake's catalog file)
	npx tsc --noEmit
	node test/run-tests.mjs

.PHONY: typecheck
typecheck: install ## type-check only
	npx tsc --noEmit

.PHONY: bench
bench: install ## benchmarks: a table of measurements, each against a reference from the same run
	npx tsx bench/main.ts $(ONLY)

.PHONY: query
query: install ## run SQL on the local lake: make query SQL="select count(*) from beers"
	$(BREWLAKE) query --lake $(LAKE) "$(SQL)"

.PHONY: serve
serve: install ## the IBU API on 127.0.0.1 (default port 8000; PORT=P), training a model first if none is promoted
	$(BREWLAKE) serve --lake $(LAKE) $(if $(PORT),--port $(PORT))

# ---- AWS (CDK Terrain → Terraform JSON in cdktf.out/, applied with terraform or tofu) ----
# stacks/deploy.sh does the work: it checks the prerequisites once, synthesizes, applies, and
# reads Terraform outputs at run time, after the apply that creates them (never at make's parse time).

.PHONY: synth
synth: install ## write Terraform JSON for every stack into cdktf.out/ (offline, no AWS needed)
	npx tsx stacks/main.ts

.PHONY: deploy_infra
deploy_infra: install ## stand the lake up in AWS (checks terraform/tofu, the aws CLI and credentials first)
	stacks/deploy.sh infra

.PHONY: deploy_model
deploy_model: install ## apply the model stack, create the admin token if absent, train on Athena, publish, print the endpoint
	stacks/deploy.sh model

.PHONY: destroy
destroy: install ## tear both stacks down, the model first (buckets holding objects: BREWLAKE_FORCE_DESTROY=1)
	stacks/deploy.sh destroy

.PHONY: state_bucket
state_bucket: install ## create the versioned, encrypted, non-public S3 bucket for shared state (BREWLAKE_STATE_BUCKET=name)
	stacks/deploy.sh state-bucket

# ---- the AWS half, verified offline (docs/deploy.md, "Verified how") ----
.PHONY: provider
provider: ## build the real hashicorp/aws provider from source into ~/.cache/brewlake (once; see docs/deploy.md)
	verify/build-provider.sh >/dev/null

# The Powertools logger of the ingest handler would print its JSON lines between the summary's rows.
.PHONY: verify_aws
verify_aws: install tools synth ## the AWS half against the real provider and moto (apply, second plan, destroy), checkov, the SDK paths
	POWERTOOLS_LOG_LEVEL=WARN npx tsx verify/aws.ts
