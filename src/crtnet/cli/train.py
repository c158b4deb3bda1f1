"""``crtnet train``: train a registered model on a registered dataset into a run directory."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        out: Path = typer.Option(..., "--out", "-o", help="Run directory to write."),
        dataset: str = typer.Option(None, "--dataset", "-d", help="mitdb, ptbxl, folder:CSV."),
        model: str = typer.Option(None, "--model", "-m", help="Registered model name."),
        config: Path = typer.Option(None, "--config", "-c", help="YAML experiment config."),
        root: list[str] = typer.Option(None, "--root", help="Dataset root (repeatable)."),
        protocol: str = typer.Option(
            None, help="Split protocol: inter, intra, cv, strat_fold, all."
        ),
        fold: int = typer.Option(None, help="Test fold for cross-validation."),
        epochs: int = typer.Option(None, help="Maximum epochs."),
        max_train: int = typer.Option(None, help="Random subsample of training samples."),
        seed: int = typer.Option(None, help="Seed for splits, order and init."),
        device: str = typer.Option(None, help="auto, cpu, cuda, cuda:1 ..."),
        threads: int = typer.Option(None, help="torch CPU threads."),
        set_: list[str] = typer.Option(None, "--set", help="Override: key=value (YAML value)."),
        resume: bool = typer.Option(True, help="Continue from checkpoint.json if present."),
        progress: bool = typer.Option(True, help="Progress bars on stderr."),
        json_out: bool = typer.Option(False, "--json", help="Print validation metrics as JSON."),
    ) -> None:
        """Train with early stopping on the validation split (never the test split).

        Multi-GPU / multi-node: launch the same command under ``torchrun``.
        """
        import json

        from crtnet.cli.common import echo_json
        from crtnet.train.config import load_config
        from crtnet.train.loop import fit

        cfg = load_config(
            config,
            set_,
            dataset=dataset,
            model=model,
            protocol=protocol,
            fold=fold,
            epochs=epochs,
            max_train=max_train,
            seed=seed,
            device=device,
            threads=threads,
            root=(root[0] if len(root) == 1 else list(root)) if root else None,
        )
        cfg.progress = progress
        fit(cfg, out, resume=resume)
        mpath = out / "metrics.json"
        if json_out and mpath.is_file():
            echo_json(json.loads(mpath.read_text()))
        elif mpath.is_file():
            m = json.loads(mpath.read_text())["val"]
            typer.echo(
                f"{out}: validation accuracy {m['accuracy']:.4f}, macro-F1 "
                f"{m['macro_f1']:.4f}, macro-AUC {m['macro_auc']:.4f}"
            )

    @app.command("train-labels")
    def train_labels_cmd(
        out: Path = typer.Option(..., "--out", "-o", help="Run directory (resumed if present)."),
        samples: int = typer.Option(24000, help="Training words set in type (cached)."),
        steps: int = typer.Option(3000, help="Optimiser steps."),
        seed: int = typer.Option(0, help="Seed for words, fonts, distortions and init."),
        threads: int = typer.Option(2, help="torch CPU threads."),
    ) -> None:
        """Train the digitizer's lead-label classifier ("I" ... "V6" or none) on words set
        in matplotlib's and OpenCV's fonts.

        Copy OUT/model.safetensors to src/crtnet/weights/lead-labels/ to ship it.
        """
        from crtnet.cli.common import echo_json
        from crtnet.train.labels import LabelTrainConfig, train_labels

        cfg = LabelTrainConfig(samples=samples, steps=steps, seed=seed, threads=threads)
        metrics = train_labels(out, cfg, log=lambda s: typer.echo(s, err=True))
        echo_json({k: v for k, v in metrics.items() if k != "config"})

    @app.command("train-pixel")
    def train_pixel_cmd(
        out: Path = typer.Option(..., "--out", "-o", help="Run directory (resumed if present)."),
        root: list[Path] = typer.Option(None, "--root", help="PTB-XL root(s) to print from."),
        pages: int = typer.Option(200, help="Pages rendered into the crop cache."),
        steps: int = typer.Option(6000, help="Optimiser steps."),
        seed: int = typer.Option(0, help="Seed for records, pages, crops and init."),
        threads: int = typer.Option(2, help="torch CPU threads."),
        workers: int = typer.Option(2, help="Processes that render and dewarp the pages."),
    ) -> None:
        """Train the digitizer's pixel model (ink / grid / other) on rendered pages.

        Copy OUT/model.safetensors to src/crtnet/weights/pixel-seg/ to ship it.
        """
        from crtnet.cli.common import echo_json
        from crtnet.train.pixel import PixelTrainConfig, train_pixel

        cfg = PixelTrainConfig(
            pages=pages, steps=steps, seed=seed, threads=threads, workers=workers
        )
        metrics = train_pixel(out, cfg, list(root or []), log=lambda s: typer.echo(s, err=True))
        echo_json({k: v for k, v in metrics.items() if k != "config"})
