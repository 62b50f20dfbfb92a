# TapeGrad — the two commands: `make test` and `make demo`.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
SWIFT_TEST_FLAGS ?= --disable-swift-testing

.PHONY: test demo demo-cnn examples bench bench-compare openblas doc-examples docs docs-check

## openblas: make sure the system OpenBLAS is installed (Debian's libopenblas-dev).
openblas:
	@if pkg-config --exists openblas 2>/dev/null; then \
	  echo "openblas: found $$(pkg-config --modversion openblas)"; \
	else \
	  echo "openblas: not found, installing libopenblas-dev with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev pkg-config >/dev/null; \
	  pkg-config --exists openblas || { echo "openblas: install failed"; exit 1; }; \
	fi

## test: the whole test suite.
test: openblas
	swift build --build-tests
	swift test --skip-build $(SWIFT_TEST_FLAGS)

## demo: the main example (trains an MLP on the bundled digits data).
demo: openblas
	swift run -c release tapegrad-demo $(ARGS)

demo-cnn: openblas
	swift run -c release tapegrad-demo --model cnn $(ARGS)

## examples: the seed documents' examples, printing MindSpore's numbers.
examples: openblas
	swift run seed-examples

## bench: the release-mode benchmark table (writes bench-results.json).
bench: openblas
	swift build -c release --package-path Benchmarks --disable-build-manifest-caching
	Benchmarks/.build/release/tapegrad-bench $(ARGS)

## bench-compare: the same workloads on JAX / MindSpore / numpy (creates venvs on demand).
bench-compare: bench
	python3 Benchmarks/compare/bench_compare.py $(ARGS)

## doc-examples: copy every ```swift block of the doc comments and README.md into the test target
## (Tests/TapeGradTests/Docs/DocExamples+<folder>.generated.swift), where `make test` type-checks them.
doc-examples:
	@mkdir -p .build
	swiftc -Onone Tests/TapeGradTests/Docs/DocExampleExtractor.swift Scripts/DocExamples/main.swift -o .build/doc-examples
	./.build/doc-examples

## docs: the documentation site (doc comments + Sources/TapeGrad/Documentation.docc) with the toolchain's docc,
## as a static site in .build-docs/site (serve that folder with any static web server).
DOCC ?= $(shell command -v docc 2>/dev/null || echo $(dir $(shell readlink -f $$(command -v swift)))docc)
docs: openblas
	swift build --scratch-path .build-docs --target TapeGrad \
	  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc $(CURDIR)/.build-docs/symbol-graphs
	$(DOCC) convert Sources/TapeGrad/Documentation.docc \
	  --additional-symbol-graph-dir .build-docs/symbol-graphs \
	  --fallback-display-name TapeGrad --fallback-bundle-identifier org.tapegrad.TapeGrad \
	  --output-path .build-docs/site --transform-for-static-hosting
	@echo "docs: .build-docs/site/documentation/tapegrad/index.html"

## docs-check: renders the site's index page in headless Chromium (Debian's package, installed if missing)
## and checks that the articles and symbol pages exist.
docs-check: docs
	@command -v chromium >/dev/null || { echo "docs-check: installing chromium with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	Scripts/docs-check.sh .build-docs/site
