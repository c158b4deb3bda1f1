"""CRT-Net (Liu et al. 2021): CNN front end -> BiGRU -> Transformer encoder -> pooled head.

The paper's layer sizes are not public. These defaults keep CPU training of MIT-BIH DS1
(~40k beats) to well under a minute per epoch: the CNN downsamples x8 so the recurrent
and attention layers see ~45 tokens per 2 s beat window at 180 Hz; a 1-layer BiGRU of 64
units per direction gives d_model = 128 for 2 Transformer layers with 4 heads. The
ablation (``crtnet bench train ablation``) justifies keeping each stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from crtnet.models.layers import (
    ConvBN,
    Head,
    PositionalEncoding,
    ResBlock,
    apply_mask,
    masked_pool,
    run_rnn,
)
from crtnet.models.registry import register


@dataclass
class CRTNetConfig:
    stem_channels: int = 32
    stem_kernel: int = 7
    stem_stride: int = 2
    channels: list[int] = field(default_factory=lambda: [64, 128, 128])
    strides: list[int] = field(default_factory=lambda: [2, 2, 1])
    kernels: list[int] = field(default_factory=lambda: [5, 3])
    gru: bool = True
    gru_hidden: int = 64
    gru_layers: int = 1
    transformer: bool = True
    d_model: int = 128
    heads: int = 4
    layers: int = 2
    ff_dim: int = 256
    dropout: float = 0.1
    head_hidden: int = 128
    head_dropout: float = 0.3
    input_norm: str = "none"  # "none" keeps mV; "zscore" standardises each lead per window
    skip: bool = False  # also pool the CNN's features into the head (see embed)
    aux_logits: bool = False  # the side features also give logits of their own (Head)
    embed_drop: float = 0.0  # training: share of beats whose signal features are zeroed


class CRTNet(nn.Module):
    def __init__(self, n_leads: int, n_classes: int, aux_dim: int = 0, **cfg):
        super().__init__()
        self.cfg = c = CRTNetConfig(**cfg)
        self.stem = ConvBN(n_leads, c.stem_channels, c.stem_kernel, c.stem_stride)
        blocks, c_in = [], c.stem_channels
        for ch, st in zip(c.channels, c.strides, strict=True):
            blocks.append(ResBlock(c_in, ch, tuple(c.kernels), st))
            c_in = ch
        self.blocks = nn.ModuleList(blocks)
        self.gru = None
        if c.gru:
            self.gru = nn.GRU(
                c_in, c.gru_hidden, c.gru_layers, batch_first=True, bidirectional=True
            )
            c_in = 2 * c.gru_hidden
        self.encoder = None
        if c.transformer:
            self.proj = nn.Linear(c_in, c.d_model) if c_in != c.d_model else nn.Identity()
            self.pos = PositionalEncoding(c.d_model)
            layer = nn.TransformerEncoderLayer(
                c.d_model, c.heads, c.ff_dim, c.dropout, batch_first=True, norm_first=True
            )
            self.encoder = nn.TransformerEncoder(layer, c.layers, enable_nested_tensor=False)
            c_in = c.d_model
        self.width = c_in + ((c.channels or [c.stem_channels])[-1] if c.skip else 0)
        self.head = Head(
            2 * self.width, n_classes, aux_dim, c.head_hidden, c.head_dropout, c.aux_logits
        )

    def forward(self, x, mask=None, aux=None):
        return self.head(self.drop_embed(self.embed(x, mask)), aux)

    def drop_embed(self, h: torch.Tensor) -> torch.Tensor:
        """Zero the signal features of a random ``embed_drop`` share of beats in training.

        With few patients per class, the morphology branch can learn who the patient is
        (and so the class) faster than the head learns the side features; beats seen
        without their signal features make the head read the rhythm on its own too.
        """
        p = self.cfg.embed_drop
        if not self.training or p <= 0:
            return h
        keep = (torch.rand(h.shape[0], 1, device=h.device) >= p).to(h.dtype)
        return h * keep

    def embed(self, x, mask=None) -> torch.Tensor:
        """Pooled [B, 2 * width] features of the signal, before the head.

        With ``skip`` the CNN's pooled features join the sequence stages' ones: on small
        data (1,379 PTB-XL records) the head can then lean on the morphology features
        while the BiGRU and Transformer add rhythm context instead of replacing them.
        """
        x = _normalise(torch.nan_to_num(x), mask, self.cfg.input_norm)
        h, m = self.stem(x, mask)
        for blk in self.blocks:
            h, m = blk(h, m)
        cnn = masked_pool(apply_mask(h, m), m) if self.cfg.skip else None
        h = apply_mask(h, m).transpose(1, 2)  # [B, T, C]
        if self.gru is not None:
            h = run_rnn(self.gru, h, m)
        if self.encoder is not None:
            h = self.pos(self.proj(h))
            h = self.encoder(h, src_key_padding_mask=None if m is None else ~m)
        pooled = masked_pool(h.transpose(1, 2), m)
        return pooled if cnn is None else torch.cat([cnn, pooled], 1)

    def config(self) -> dict:
        return asdict(self.cfg)


def _normalise(x: torch.Tensor, mask, how: str) -> torch.Tensor:
    if how == "none":
        return x
    if how != "zscore":
        raise ValueError(f"unknown input_norm {how!r}")
    m = torch.ones_like(x[:, :1]) if mask is None else mask[:, None, :].to(x.dtype)
    n = m.sum(-1, keepdim=True).clamp(min=1)
    mu = (x * m).sum(-1, keepdim=True) / n
    sd = (((x - mu) * m) ** 2).sum(-1, keepdim=True).div(n).sqrt()
    return apply_mask((x - mu) / (sd + 1e-3), mask)


@register("crtnet")
def crtnet(**kw) -> CRTNet:
    return CRTNet(**kw)


@register("crtnet_cnn")
def crtnet_cnn(**kw) -> CRTNet:
    return CRTNet(**{**kw, "gru": False, "transformer": False})


@register("crtnet_cnn_gru")
def crtnet_cnn_gru(**kw) -> CRTNet:
    return CRTNet(**{**kw, "gru": True, "transformer": False})


@register("crtnet_cnn_transformer")
def crtnet_cnn_transformer(**kw) -> CRTNet:
    return CRTNet(**{**kw, "gru": False, "transformer": True})
