"""weather-service: a small Flask service answering weather forecasts for a place name."""
import os

__version__ = os.environ.get("APP_VERSION") or "dev"

from .app import create_app  # noqa: E402

__all__ = ["create_app", "__version__"]
