"""resnet1d_wang (Wang et al. 2017 as configured by Strodthoff et al. 2021, PTB-XL benchmark).

Stem conv k=7 with 128 filters, three basic blocks of 128 filters with kernels (5, 3), the
later two strided by 2, concat (mean+max) pooling and a 2-layer head.
"""

from __future__ import annotations

from torch import nn

from crtnet.models.layers import ConvBN, Head, ResBlock, apply_mask, masked_pool
from crtnet.models.registry import register


class ResNet1d(nn.Module):
    def __init__(
        self,
        n_leads,
        n_classes,
        aux_dim=0,
        channels=128,
        n_blocks=3,
        kernels=(5, 3),
        stem_kernel=7,
        head_hidden=128,
        head_dropout=0.5,
    ):
        super().__init__()
        self.stem = ConvBN(n_leads, channels, stem_kernel, 1)
        self.blocks = nn.ModuleList(
            ResBlock(channels, channels, tuple(kernels), 1 if i == 0 else 2)
            for i in range(n_blocks)
        )
        self.head = Head(2 * channels, n_classes, aux_dim, head_hidden, head_dropout)

    def forward(self, x, mask=None, aux=None):
        import torch

        h, m = self.stem(torch.nan_to_num(x), mask)
        for blk in self.blocks:
            h, m = blk(h, m)
        return self.head(masked_pool(apply_mask(h, m), m), aux)


@register("resnet1d_wang")
def resnet1d_wang(**kw) -> ResNet1d:
    return ResNet1d(**kw)
