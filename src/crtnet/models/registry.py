"""Models by name: a new architecture is one file that calls ``register``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from crtnet.errors import CrtnetError

_MODELS: dict[str, Callable[..., torch.nn.Module]] = {}


def register(name: str) -> Callable:
    def deco(fn: Callable[..., torch.nn.Module]) -> Callable[..., torch.nn.Module]:
        _MODELS[name] = fn
        return fn

    return deco


def model_names() -> list[str]:
    _load_all()
    return sorted(_MODELS)


def build_model(
    name: str,
    *,
    n_leads: int,
    n_classes: int,
    aux_dim: int = 0,
    lead_mask: bool = False,
    **cfg,
) -> torch.nn.Module:
    """Build a registered model; unknown names or options are user errors (flags/configs).

    ``lead_mask`` wraps it in ``LeadMasked``: 2 x n_leads input channels (signal, validity).
    """
    _load_all()
    if name not in _MODELS:
        raise CrtnetError(f"unknown model {name!r}; choose from {', '.join(sorted(_MODELS))}")
    if not 1 <= n_leads <= 12:
        raise CrtnetError(f"models take 1-12 leads, got {n_leads}")
    channels = 2 * n_leads if lead_mask else n_leads
    try:
        net = _MODELS[name](n_leads=channels, n_classes=n_classes, aux_dim=aux_dim, **cfg)
    except TypeError as exc:
        raise CrtnetError(f"bad option for model {name!r}: {exc}") from None
    if lead_mask:
        from crtnet.models.layers import LeadMasked

        return LeadMasked(net)
    return net


def _load_all() -> None:
    from crtnet.models import bilstm, crtnet, crtnet_rhythm, inception, resnet  # noqa: F401
