"""inception1d (Strodthoff et al. 2021, after InceptionTime): the strongest PTB-XL baseline.

Six inception blocks (bottleneck 32, kernels 39/19/9 and a max-pool branch, 4x32 = 128
channels) with a residual shortcut every three blocks; no downsampling.
"""

from __future__ import annotations

import torch
from torch import nn

from crtnet.models.layers import ConvBN, Head, apply_mask, masked_maxpool, masked_pool
from crtnet.models.registry import register


class InceptionBlock(nn.Module):
    def __init__(self, c_in, filters=32, kernels=(39, 19, 9), bottleneck=32):
        super().__init__()
        self.bottleneck = nn.Conv1d(c_in, bottleneck, 1, bias=False) if c_in > 1 else None
        c_b = bottleneck if self.bottleneck is not None else c_in
        self.convs = nn.ModuleList(
            nn.Conv1d(c_b, filters, k, padding=k // 2, bias=False) for k in kernels
        )
        self.pool_conv = nn.Conv1d(c_in, filters, 1, bias=False)
        self.bn = nn.BatchNorm1d(filters * (len(kernels) + 1))

    def forward(self, x, mask=None):
        x = apply_mask(x, mask)
        b = x if self.bottleneck is None else self.bottleneck(x)
        outs = [conv(b) for conv in self.convs] + [self.pool_conv(masked_maxpool(x, mask))]
        return torch.relu(self.bn(torch.cat(outs, 1)))


class Inception1d(nn.Module):
    def __init__(
        self,
        n_leads,
        n_classes,
        aux_dim=0,
        depth=6,
        filters=32,
        kernels=(39, 19, 9),
        bottleneck=32,
        head_hidden=128,
        head_dropout=0.5,
    ):
        super().__init__()
        kernels = tuple(k if k % 2 else k - 1 for k in kernels)
        width = filters * (len(kernels) + 1)
        self.blocks = nn.ModuleList(
            InceptionBlock(n_leads if i == 0 else width, filters, kernels, bottleneck)
            for i in range(depth)
        )
        self.shortcuts = nn.ModuleList(
            ConvBN(n_leads if i == 0 else width, width, 1, act=False) for i in range(depth // 3)
        )
        self.head = Head(2 * width, n_classes, aux_dim, head_hidden, head_dropout)

    def forward(self, x, mask=None, aux=None):
        x = torch.nan_to_num(x)
        res = h = x
        for i, blk in enumerate(self.blocks):
            h = blk(h, mask)
            if i % 3 == 2:
                h = torch.relu(h + self.shortcuts[i // 3](res, mask)[0])
                res = h
        return self.head(masked_pool(apply_mask(h, mask), mask), aux)


@register("inception1d")
def inception1d(**kw) -> Inception1d:
    return Inception1d(**kw)
