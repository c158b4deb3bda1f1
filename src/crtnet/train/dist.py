"""DDP set-up from torchrun's environment: gloo on CPU, nccl on CUDA, nothing when alone."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch


@dataclass
class Dist:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def main(self) -> bool:
        return self.rank == 0


def setup(device: str = "auto") -> Dist:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local = int(os.environ.get("LOCAL_RANK", "0"))
    if device == "auto":
        device = f"cuda:{local}" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    if world > 1 and not torch.distributed.is_initialized():
        backend = "nccl" if dev.type == "cuda" else "gloo"
        torch.distributed.init_process_group(backend, rank=rank, world_size=world)
    return Dist(rank, world, local, dev)


def all_mean(value: float, d: Dist) -> float:
    if d.world == 1:
        return value
    t = torch.tensor([value], dtype=torch.float64, device=d.device)
    torch.distributed.all_reduce(t)
    return float(t.item()) / d.world


def barrier(d: Dist) -> None:
    if d.world > 1:
        torch.distributed.barrier()


def teardown(d: Dist) -> None:
    if d.world > 1 and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()
