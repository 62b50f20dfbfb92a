# TapeGrad — the two commands: `make test` and `make demo`.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
SWIFT_TEST_FLAGS ?= --disable-swift-testing

.PHONY: test tsan asan fuzz demo demo-cnn demo-penalty demo-seq demo-distributed examples bench bench-compare bench-models bench-distributed openblas mpi doc-examples docs docs-check

## openblas: make sure the system OpenBLAS is installed (Debian's libopenblas-dev).
openblas:
	@if pkg-config --exists openblas 2>/dev/null; then \
	  echo "openblas: found $$(pkg-config --modversion openblas)"; \
	else \
	  echo "openblas: not found, installing libopenblas-dev with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev pkg-config >/dev/null; \
	  pkg-config --exists openblas || { echo "openblas: install failed"; exit 1; }; \
	fi

## mpi: make sure Open MPI is installed (Debian's libopenmpi-dev and openmpi-bin), for TapeGradDistributed.
mpi:
	@if pkg-config --exists ompi-c 2>/dev/null && command -v mpirun >/dev/null; then \
	  echo "mpi: found Open MPI $$(pkg-config --modversion ompi-c)"; \
	else \
	  echo "mpi: not found, installing libopenmpi-dev and openmpi-bin with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenmpi-dev openmpi-bin pkg-config >/dev/null; \
	  pkg-config --exists ompi-c || { echo "mpi: install failed"; exit 1; }; \
	fi

## test: the whole test suite.
test: openblas mpi
	swift build --build-tests
	swift test --skip-build $(SWIFT_TEST_FLAGS)

## tsan: the whole suite under ThreadSanitizer (own scratch path; any report fails the run, no suppressions).
tsan: openblas mpi
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" swift test --skip-build --sanitize=thread --scratch-path .build-tsan $(SWIFT_TEST_FLAGS)

## asan: the whole suite under AddressSanitizer (own scratch path; any report fails the run).
asan: openblas mpi
	swift build --build-tests --sanitize=address --scratch-path .build-asan
	ASAN_OPTIONS="detect_leaks=0" swift test --skip-build --sanitize=address --scratch-path .build-asan $(SWIFT_TEST_FLAGS)

## demo: the main example (trains an MLP on the bundled digits data).
demo: openblas
	swift run -c release tapegrad-demo $(ARGS)

demo-cnn: openblas
	swift run -c release tapegrad-demo --model cnn $(ARGS)

## demo-distributed: the digits MLP trained data-parallel on 2 processes, then on 1 with the same global batch.
MPIRUN := OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader mpirun --oversubscribe
demo-distributed: openblas mpi
	swift build -c release --product tapegrad-demo-distributed
	OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 2 .build/release/tapegrad-demo-distributed $(ARGS)
	OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 1 .build/release/tapegrad-demo-distributed $(ARGS)

## demo-penalty: a physics-informed fit of u'' + u = 0 (a penalty on second derivatives) that learns sin x.
demo-penalty: openblas
	swift run -c release tapegrad-penalty $(ARGS)

## demo-seq: a Transformer encoder learns to sort 10 digits (ARGS="--model lstm" for the LSTM on addition).
demo-seq: openblas
	swift run -c release tapegrad-seq-demo $(ARGS)

## examples: the seed documents' examples, printing MindSpore's numbers.
examples: openblas
	swift run seed-examples

## bench: the release-mode benchmark table (writes bench-results.json).
bench: openblas
	swift build -c release --package-path Benchmarks --disable-build-manifest-caching --product tapegrad-bench
	Benchmarks/.build/release/tapegrad-bench $(ARGS)

## bench-distributed: W1 at global batch 1024 on 1 and 2 processes × 1 thread, with the all-reduce share.
bench-distributed: openblas mpi
	swift build -c release --package-path Benchmarks --disable-build-manifest-caching --product tapegrad-bench-distributed
	OPENBLAS_NUM_THREADS=1 $(MPIRUN) -np 2 Benchmarks/.build/release/tapegrad-bench-distributed $(ARGS)

## bench-compare: the same workloads on JAX / MindSpore / numpy (creates venvs on demand).
bench-compare: bench
	python3 Benchmarks/compare/bench_compare.py $(ARGS)

## bench-models: W6–W8 (CNN step, LSTM, Transformer layer) in TapeGrad, PyTorch eager and JAX jit, interleaved
## round by round, with the TapeGrad ÷ peer table (ARGS: --rounds 3 --threads both --coretype-both …).
bench-models: openblas
	swift build -c release --package-path Benchmarks --disable-build-manifest-caching --product tapegrad-bench
	python3 Benchmarks/compare/models_compare.py $(ARGS)

## fuzz: N random differentiable programs (default 100000) checked against finite differences; SEED picks the first.
N ?= 100000
SEED ?= 1
fuzz: openblas
	swift build --build-tests
	TAPEGRAD_FUZZ_N=$(N) TAPEGRAD_FUZZ_SEED=$(SEED) swift test --skip-build $(SWIFT_TEST_FLAGS) --filter GradientFuzzTests/testRandomProgramsMatchFiniteDifferences

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
