"""``crtnet evaluate RUN_DIR``: metrics with bootstrap CIs, plots and model card."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate(
        run_dirs: list[Path] = typer.Argument(..., help="Run directories from crtnet train."),
        split: str = typer.Option("test", help="train, val or test."),
        n_boot: int = typer.Option(200, help="Bootstrap resamples for 95% CIs (0: none)."),
        json_out: bool = typer.Option(False, "--json", help="Print metrics as JSON."),
    ) -> None:
        """Evaluate each run on its own task's split (same protocol, roots and seed)."""
        from crtnet.cli.common import echo_json, run_batch
        from crtnet.evaluate import evaluate_run

        done, failed = run_batch(run_dirs, lambda r: evaluate_run(r, split, n_boot=n_boot))
        for run, m in done:
            if json_out:
                echo_json(m if len(run_dirs) == 1 else {"run": str(run), **m})
                continue
            typer.echo(
                f"{run} [{split}] n={m['n']} accuracy {m['accuracy']:.4f} "
                f"macro-F1 {m['macro_f1']:.4f} macro-AUC {m['macro_auc']:.4f}"
            )
            for c, v in m["per_class"].items():
                typer.echo(
                    f"  {c:>6}: Se {_p(v['sensitivity'])} +P {_p(v['ppv'])} "
                    f"Sp {_p(v['specificity'])} F1 {_p(v['f1'])} (n={v['support']})"
                )
        if failed:
            raise typer.Exit(1)


def _p(v) -> str:
    return "   -" if v is None else f"{100 * v:5.1f}"
