"""crtnet serve: the web page and API (``create_app``, ``ServeConfig``)."""

from crtnet.serve.app import create_app
from crtnet.serve.config import ServeConfig

__all__ = ["ServeConfig", "create_app"]
