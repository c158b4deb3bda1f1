"""CRT-Net for beats in their rhythm: a second BiGRU + Transformer over the neighbours' RR.

Whether a premature beat is S or N depends on the rhythm around it (an early beat in a
regular rhythm, or one more irregular interval in atrial fibrillation). The morphology
branch is CRT-Net unchanged; the rhythm branch reads the last ``rhythm_tokens`` side
features (``pre_rr_norm-10 .. pre_rr_norm+10``: the record-normalised RR of the beats
around this one, in order) as a sequence, so recurrence and attention run over beats.
"""

from __future__ import annotations

import torch
from torch import nn

from crtnet.models.crtnet import CRTNet
from crtnet.models.layers import Head, PositionalEncoding
from crtnet.models.registry import register


class CRTNetRhythm(CRTNet):
    def __init__(
        self,
        n_leads: int,
        n_classes: int,
        aux_dim: int = 0,
        rhythm_tokens: int = 20,
        rhythm_hidden: int = 32,
        **cfg,
    ):
        super().__init__(n_leads, n_classes, aux_dim, **cfg)
        if not 0 < rhythm_tokens <= aux_dim:
            raise ValueError(f"rhythm_tokens={rhythm_tokens} needs that many aux features")
        self.rhythm_tokens, self.rhythm_hidden = rhythm_tokens, rhythm_hidden
        d = 2 * rhythm_hidden
        self.rgru = nn.GRU(1, rhythm_hidden, batch_first=True, bidirectional=True)
        self.rpos = PositionalEncoding(d)
        layer = nn.TransformerEncoderLayer(
            d, 2, 2 * d, self.cfg.dropout, batch_first=True, norm_first=True
        )
        self.rencoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
        c = self.cfg
        self.head = Head(
            2 * self.width + 2 * d, n_classes, aux_dim, c.head_hidden, c.head_dropout, c.aux_logits
        )

    def forward(self, x, mask=None, aux=None):
        if aux is None:
            raise ValueError("crtnet_rhythm needs the RR side features (aux=)")
        seq = aux[:, -self.rhythm_tokens :, None]
        r = self.rencoder(self.rpos(self.rgru(seq)[0]))
        rhythm = torch.cat([r.mean(1), r.amax(1)], 1)
        return self.head(torch.cat([self.drop_embed(self.embed(x, mask)), rhythm], 1), aux)

    def config(self) -> dict:
        return {
            **super().config(),
            "rhythm_tokens": self.rhythm_tokens,
            "rhythm_hidden": self.rhythm_hidden,
        }


@register("crtnet_rhythm")
def crtnet_rhythm(**kw) -> CRTNetRhythm:
    return CRTNetRhythm(**kw)
