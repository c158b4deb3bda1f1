"""model_card.md: what a trained model expects, what it saw, how well it did."""

from __future__ import annotations

from pathlib import Path

from crtnet.io.atomic import atomic_path


def write_card(run_dir: Path, config: dict, metrics: dict) -> Path:
    p = config.get("protocol", {})
    lines = [
        f"# Model card: {config['model']['name']} on {config.get('task')}",
        "",
        "## Input contract",
        f"- sampling rate: {config['fs']:g} Hz; window: {config['window']} samples "
        f"({config['window'] / config['fs']:.2f} s); any longer record: windows or a mask",
        f"- leads (in this order): {', '.join(config['leads'])}; units: {config['units']}",
        f"- side features: {', '.join(config['aux_names']) or 'none'}",
        "- missing samples: "
        + (
            "NaN, read through a per-lead validity mask (lead_mask; run format "
            f"{config.get('format_version', 1)})"
            if config["model"].get("lead_mask")
            else "zero-filled (no lead mask)"
        ),
        f"- preprocessing: {p.get('preprocessing', 'see config.json protocol')}",
        f"- output: {'sigmoid (multi-label)' if config['multilabel'] else 'softmax'} over "
        f"{', '.join(config['classes'])}"
        + (f"; thresholds {config['thresholds']}" if config.get("thresholds") else ""),
        "",
        "## Data and split",
        f"- dataset/protocol: {p.get('dataset', config['train']['dataset'])} / "
        f"{p.get('protocol', config['train'].get('protocol'))}, fold {config['train']['fold']}",
        f"- class counts (train / val / test): {config['counts']}",
        f"- model selection: best validation epoch {config.get('best_epoch')} "
        "(the test split is never used for selection)",
        "",
        "## Metrics",
    ]
    for split, m in metrics.items():
        if not isinstance(m, dict) or "accuracy" not in m:
            continue
        lines.append(
            f"### {split} (n = {m['n']})" + (f" - `{m['command']}`" if m.get("command") else "")
        )
        lines.append(
            f"accuracy {m['accuracy']:.4f}, macro-F1 {m['macro_f1']:.4f}, "
            f"macro-AUC {m['macro_auc']:.4f}"
        )
        lines += ["", "| class | Se | +P | Sp | F1 | n |", "|---|---|---|---|---|---|"]
        for c, v in m["per_class"].items():
            lines.append(
                f"| {c} | {_p(v['sensitivity'])} | {_p(v['ppv'])} | "
                f"{_p(v['specificity'])} | {_p(v['f1'])} | {v['support']} |"
            )
        lines.append("")
    lines += ["## Training command", f"`{config.get('command', '')}`", ""]
    path = run_dir / "model_card.md"
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines))
    return path


def _p(v) -> str:
    return "-" if v is None else f"{100 * v:.1f}"
