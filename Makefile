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

.PHONY: install
install: node_modules/.package-lock.json ## install the npm dependencies (npm ci)

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
demo: install ## the whole local lake, model and API, on the embedded default
	$(BREWLAKE) demo --lake $(LAKE)

.PHONY: test
test: install chromium ## type-check and run every test
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
