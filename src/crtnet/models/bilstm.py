"""BiLSTM baseline: a strided conv stem (x4, so 10 s records stay tractable on CPU) and a
2-layer bidirectional LSTM with masked mean+max pooling. No attention, no deep CNN: it
shows what recurrence alone adds."""

from __future__ import annotations

import torch
from torch import nn

from crtnet.models.layers import ConvBN, Head, masked_pool, run_rnn
from crtnet.models.registry import register


class BiLSTM(nn.Module):
    def __init__(
        self,
        n_leads,
        n_classes,
        aux_dim=0,
        stem_channels=64,
        stem_strides=(2, 2),
        hidden=64,
        layers=2,
        dropout=0.1,
        head_hidden=128,
        head_dropout=0.3,
    ):
        super().__init__()
        stems, c_in = [], n_leads
        for s in stem_strides:
            stems.append(ConvBN(c_in, stem_channels, 7, s))
            c_in = stem_channels
        self.stems = nn.ModuleList(stems)
        self.lstm = nn.LSTM(
            c_in,
            hidden,
            layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if layers > 1 else 0.0,
        )
        self.head = Head(4 * hidden, n_classes, aux_dim, head_hidden, head_dropout)

    def forward(self, x, mask=None, aux=None):
        h, m = torch.nan_to_num(x), mask
        for stem in self.stems:
            h, m = stem(h, m)
        out = run_rnn(self.lstm, h.transpose(1, 2), m)
        return self.head(masked_pool(out.transpose(1, 2), m), aux)


@register("bilstm")
def bilstm(**kw) -> BiLSTM:
    return BiLSTM(**kw)
