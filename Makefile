# Two commands matter: `make demo` (set up + run the main job on bundled data)
# and `make test` (set up + run the whole test suite). Everything else is optional.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv demo test lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/crtnet demo

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Benchmarks (hours on a laptop CPU; never in CI). DATA must hold mitdb/, ptbxl/,
# ptbxl-extra/ and images/ (see docs/BENCHMARKS.md for each command on its own).
DATA ?= ../shared/data
bench: $(STAMP)
	$(BIN)/crtnet bench qrs --root $(DATA)/mitdb
	$(BIN)/crtnet bench render
	$(BIN)/crtnet bench digitize --root $(DATA)/ptbxl --shared $(DATA) --overlays docs/overlays
	$(BIN)/crtnet bench train mitdb-inter --root $(DATA)/mitdb --out-root runs
	$(BIN)/crtnet bench train mitdb-intra --root $(DATA)/mitdb --out-root runs
	$(BIN)/crtnet bench train ptbxl-cv --root $(DATA)/ptbxl --root $(DATA)/ptbxl-extra --out-root runs --models crtnet,inception1d --set threads=1
	$(BIN)/crtnet bench train ptbxl-cv --root $(DATA)/ptbxl --root $(DATA)/ptbxl-extra --out-root runs --models crtnet_cnn,crtnet_cnn_gru,bilstm,crtnet_cnn_transformer,resnet1d_wang --set threads=1
	$(BIN)/crtnet bench train ablation --root $(DATA)/mitdb --out-root runs
	$(BIN)/crtnet bench train throughput --root $(DATA)/mitdb --out-root runs
	$(BIN)/crtnet bench train ptbxl-ablation --root $(DATA)/ptbxl --root $(DATA)/ptbxl-extra --out-root runs --models bundle --set threads=1
	$(BIN)/crtnet bench e2e --root $(DATA)/ptbxl --root $(DATA)/ptbxl-extra --model runs/ptbxl-abl-bundle-fold0 --model runs/ptbxl-abl-bundle-fold1 --limit 100

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
