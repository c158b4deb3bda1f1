"""Server settings in one dataclass; ``crtnet serve`` fills it from its flags."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from crtnet.errors import CrtnetError


@dataclass
class ServeConfig:
    data: Path = Path("crtnet-data")
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_upload_mb: float = 25.0
    workers: int = 2
    queue: int = 8  # jobs that may wait beyond the busy workers before uploads get 503
    time_limit_s: float = 120.0  # a digitization past this is killed and marked failed
    retention_days: float | None = None  # delete analyses older than this (None: keep)
    max_zip_members: int = 200
    zip_expand: float = 4.0  # a zip may unpack to this many times --max-upload-mb

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 2**20)

    @property
    def needs_token(self) -> bool:
        return bool(self.token) or not is_loopback(self.host)

    def check(self) -> None:
        if not is_loopback(self.host) and not self.token:
            raise CrtnetError(
                f"--host {self.host} is reachable from other machines: set --token (and put "
                "an HTTPS reverse proxy in front, see docs/SERVE.md)"
            )
        if self.workers < 1 or self.queue < 0 or self.max_upload_mb <= 0:
            raise CrtnetError("--workers must be >= 1 and --max-upload-mb > 0")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
