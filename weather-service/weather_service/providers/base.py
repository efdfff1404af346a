"""The interface every weather provider implements."""
from __future__ import annotations

from abc import ABC, abstractmethod


class Provider(ABC):
    """A source of forecasts for a free-text place name.

    ``forecast(place)`` returns the object that goes into ``response`` of a successful answer:

        {
          "place": str,           # short resolved name, e.g. "Chicago"
          "displayName": str,     # longer name, e.g. "Chicago, Illinois, United States"
          "query": str,           # the place text as asked
          "provider": str,        # "offline" | "nws"
          "latitude": float,
          "longitude": float,
          "periods": [ {...}, ...]  # NWS-style forecast periods
        }

    and raises a ``weather_service.errors.WeatherError`` subclass otherwise.
    """

    name = "base"

    @abstractmethod
    def forecast(self, place: str) -> dict:
        raise NotImplementedError

    def ready(self) -> tuple[bool, str]:
        """Whether the provider can serve requests. Must not call upstream services."""
        return True, "ok"
