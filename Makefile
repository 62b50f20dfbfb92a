# TapeGrad — the two commands: `make test` and `make demo`.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
SWIFT_TEST_FLAGS ?= --disable-swift-testing

.PHONY: test tsan asan fuzz demo demo-cnn demo-penalty demo-distributed examples bench bench-compare bench-distributed openblas mpi

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
tsan: openblas
	swift build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" swift test --skip-build --sanitize=thread --scratch-path .build-tsan $(SWIFT_TEST_FLAGS)

## asan: the whole suite under AddressSanitizer (own scratch path; any report fails the run).
asan: openblas
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

## fuzz: N random differentiable programs (default 100000) checked against finite differences; SEED picks the first.
N ?= 100000
SEED ?= 1
fuzz: openblas
	swift build --build-tests
	TAPEGRAD_FUZZ_N=$(N) TAPEGRAD_FUZZ_SEED=$(SEED) swift test --skip-build $(SWIFT_TEST_FLAGS) --filter GradientFuzzTests/testRandomProgramsMatchFiniteDifferences
