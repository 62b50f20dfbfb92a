# TapeGrad — the two commands: `make test` and `make demo`.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
SWIFT_TEST_FLAGS ?= --disable-swift-testing

.PHONY: test demo demo-cnn demo-seq examples bench bench-compare openblas

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

## demo-seq: a Transformer encoder learns to sort 10 digits (ARGS="--model lstm" for the LSTM on addition).
demo-seq: openblas
	swift run -c release tapegrad-seq-demo $(ARGS)

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
