"""Weather providers, chosen by the WEATHER_PROVIDER environment variable."""
from __future__ import annotations

import os
from typing import Mapping, Optional

from .base import Provider
from .nws import NWSProvider
from .offline import OfflineProvider

PROVIDERS = {
    "nws": NWSProvider,
    "offline": OfflineProvider,
}

DEFAULT_PROVIDER = "nws"


def provider_from_env(env: Optional[Mapping[str, str]] = None) -> Provider:
    """Builds the provider named by WEATHER_PROVIDER (default: nws). Unknown names raise ValueError."""
    env = os.environ if env is None else env
    name = (env.get("WEATHER_PROVIDER") or DEFAULT_PROVIDER).strip().lower()
    try:
        cls = PROVIDERS[name]
    except KeyError:
        raise ValueError(
            f"unknown WEATHER_PROVIDER {name!r}; choose one of: {', '.join(sorted(PROVIDERS))}"
        ) from None
    return cls.from_env(env)


__all__ = ["Provider", "NWSProvider", "OfflineProvider", "PROVIDERS", "provider_from_env"]
