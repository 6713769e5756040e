# The two commands: `make run` serves the emulator on 127.0.0.1:8080; `make test` installs what
# the tests need when it is missing, runs every test and checks that the container image builds.
# `make image` builds the image (Containerfile) with podman, or docker when its daemon runs.
GO ?= go
export GOFLAGS ?= -buildvcs=false

.PHONY: run test build lint staticcheck bench bench-http bench-scale deps fuzz soak image

# ARGS pass flags through: make run ARGS="--mode test --admin-token t".
run:
	@echo "make run: building the emulator (the first build downloads modules and can take a few minutes)…"
	$(GO) build -o bin/esia-emulator ./cmd/esia-emulator
	./bin/esia-emulator serve $(ARGS)

# The emulator on 127.0.0.1:8080 with three demo cabinets on :8081, :8082, :8083 (README "Demo cabinets").
.PHONY: demo
demo:
	$(GO) build -o bin/esia-emulator ./cmd/esia-emulator
	./bin/esia-emulator demo $(ARGS)

build:
	$(GO) build -o bin/esia-emulator ./cmd/esia-emulator

# The container image: a static binary built here, in an empty non-root image (IMAGE=… names
# it; CONTAINER_ENGINE=docker picks the engine). Nothing is pulled from the network.
IMAGE ?= localhost/esia-emulator:latest
image:
	IMAGE=$(IMAGE) bash .ci/build-image

# gofmt, go vet and staticcheck (at the version .ci/install-deps pins).
GOBIN_DIR = $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
lint: deps
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOBIN_DIR)/staticcheck ./...

staticcheck: deps
	$(GOBIN_DIR)/staticcheck ./...

deps:
	@bash .ci/install-deps

test: deps lint
	ESIA_REQUIRE_REDIS=1 ESIA_REQUIRE_BROWSER=1 ESIA_REQUIRE_GOST=1 $(GO) test -race -count=1 -timeout 8m ./...
	@bash .ci/build-image --check

# Drive a hostile visitor's resource cases against the built binary (or ESIA_SOAK_BIN) and
# print peak RSS, open fds, temp-dir bytes and store size per phase (a few minutes).
soak:
	$(GO) test -tags soak -run '^TestSoak$$' -count=1 -timeout 20m -v ./cmd/esia-emulator

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...

# Run every fuzz target for FUZZTIME each (default 10s).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# Side-by-side HTTP logins: the emulator against the zitadel/oidc example OP on free loopback
# ports, alternating rounds, median ratios (bench/http/run.sh; ROUNDS, DUR, CONCS, STORES, CLIENT,
# REFRESH tune it; NODE=1 adds node oidc-provider 9 as a second peer).
bench-http:
	bash bench/http/run.sh

# Test-mode logins (persona picker on the login page) on an emulator with the built-in personas
# and one with 100,000 more, in alternating rounds, and the time the generator takes
# (bench/http/scale.sh; STORE, GEN, BATCH, ROUNDS, DUR, C tune it).
bench-scale:
	bash bench/http/scale.sh
