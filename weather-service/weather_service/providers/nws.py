"""US National Weather Service forecasts, with Nominatim (OpenStreetMap) geocoding.

Keyless, like the original service. Standard library only (urllib), with timeouts, an identifying
User-Agent (both services ask for one), and errors mapped to clear HTTP statuses:

    unknown place                      -> PlaceNotFound   (404)
    place outside NWS coverage         -> OutsideCoverage (422)
    upstream error / timeout / garbage -> UpstreamError   (502)
"""
from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict
from typing import Mapping

from .. import __version__
from ..errors import BadRequest, OutsideCoverage, PlaceNotFound, UpstreamError
from .base import Provider

log = logging.getLogger("weather_service.nws")

DEFAULT_NOMINATIM_URL = "https://nominatim.openstreetmap.org"
DEFAULT_NWS_URL = "https://api.weather.gov"
DEFAULT_TIMEOUT = 5.0
DEFAULT_USER_AGENT = f"minikube-smoke-weather-service/{__version__} (sample service; set WEATHER_USER_AGENT)"
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_PLACE_LENGTH = 200


class _HTTPStatus(Exception):
    """An upstream answered with a non-2xx status."""

    def __init__(self, status: int, url: str):
        super().__init__(f"HTTP {status} from {url}")
        self.status = status


def _origin(url: str) -> tuple:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class NWSProvider(Provider):
    name = "nws"

    def __init__(
        self,
        nominatim_url: str = DEFAULT_NOMINATIM_URL,
        nws_url: str = DEFAULT_NWS_URL,
        timeout: float = DEFAULT_TIMEOUT,
        user_agent: str = DEFAULT_USER_AGENT,
        geocode_cache_size: int = 256,
    ):
        for label, url in (("NOMINATIM_URL", nominatim_url), ("NWS_URL", nws_url)):
            scheme, netloc = _origin(url)
            if scheme not in ("http", "https") or not netloc:
                raise ValueError(f"{label} must be an http(s) URL, got {url!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.nominatim_url = nominatim_url.rstrip("/")
        self.nws_url = nws_url.rstrip("/")
        self.timeout = float(timeout)
        self.user_agent = user_agent
        self._cache_size = max(0, int(geocode_cache_size))
        self._cache: "OrderedDict[str, tuple]" = OrderedDict()
        self._cache_lock = threading.Lock()
        # Honours HTTP(S)_PROXY / NO_PROXY from the environment, like any urllib client.
        self._opener = urllib.request.build_opener()

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "NWSProvider":
        def number(key: str, default: float, kind=float):
            raw = (env.get(key) or "").strip()
            if not raw:
                return default
            try:
                return kind(raw)
            except ValueError:
                raise ValueError(f"{key} must be a number, got {raw!r}") from None

        return cls(
            nominatim_url=(env.get("NOMINATIM_URL") or DEFAULT_NOMINATIM_URL).strip(),
            nws_url=(env.get("NWS_URL") or DEFAULT_NWS_URL).strip(),
            timeout=number("WEATHER_HTTP_TIMEOUT", DEFAULT_TIMEOUT),
            user_agent=(env.get("WEATHER_USER_AGENT") or DEFAULT_USER_AGENT).strip(),
            geocode_cache_size=number("GEOCODE_CACHE_SIZE", 256, int),
        )

    # -- HTTP ---------------------------------------------------------------------------------

    def _get_json(self, url: str, what: str, accept: str = "application/json"):
        """GETs a URL and parses JSON. Non-2xx raises _HTTPStatus; anything else UpstreamError."""
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": accept})
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                body = resp.read(MAX_BODY_BYTES + 1)
        except urllib.error.HTTPError as e:
            e.close()
            raise _HTTPStatus(e.code, url) from None
        except (socket.timeout, TimeoutError) as e:
            log.warning("%s timed out after %.1fs: %s", what, self.timeout, url)
            raise UpstreamError(f"{what} timed out") from e
        except urllib.error.URLError as e:
            if isinstance(e.reason, (socket.timeout, TimeoutError)):
                log.warning("%s timed out after %.1fs: %s", what, self.timeout, url)
                raise UpstreamError(f"{what} timed out") from e
            log.warning("%s unreachable: %s (%s)", what, url, e.reason)
            raise UpstreamError(f"{what} is unreachable") from e
        except (http.client.HTTPException, OSError, ValueError) as e:
            log.warning("%s failed: %s (%s)", what, url, e)
            raise UpstreamError(f"{what} request failed") from e
        if len(body) > MAX_BODY_BYTES:
            raise UpstreamError(f"{what} answer is too large")
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            log.warning("%s returned invalid JSON: %s", what, url)
            raise UpstreamError(f"{what} returned invalid JSON") from e

    # -- steps --------------------------------------------------------------------------------

    def geocode(self, place: str) -> tuple:
        """place -> (latitude, longitude, short name, display name). Raises PlaceNotFound."""
        key = " ".join(place.casefold().split())
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        query = urllib.parse.urlencode(
            {"q": place, "format": "jsonv2", "limit": "1", "accept-language": "en"}
        )
        url = f"{self.nominatim_url}/search?{query}"
        try:
            results = self._get_json(url, "geocoding service")
        except _HTTPStatus as e:
            log.warning("geocoding service answered HTTP %s", e.status)
            raise UpstreamError(f"geocoding service answered HTTP {e.status}") from None
        if not isinstance(results, list):
            raise UpstreamError("geocoding service returned an unexpected answer")
        if not results:
            raise PlaceNotFound(f"no place found for {place!r}")
        first = results[0]
        try:
            lat = float(first["lat"])
            lon = float(first["lon"])
        except (TypeError, KeyError, ValueError):
            raise UpstreamError("geocoding service returned an unexpected answer") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UpstreamError("geocoding service returned coordinates out of range")
        display = first.get("display_name") if isinstance(first.get("display_name"), str) else None
        short = first.get("name") if isinstance(first.get("name"), str) and first.get("name") else None
        if short is None:
            short = (display or place).split(",")[0].strip()
        found = (lat, lon, short, display or short)
        if self._cache_size:
            with self._cache_lock:
                self._cache[key] = found
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return found

    def forecast_url(self, lat: float, lon: float) -> str:
        """Asks /points/{lat},{lon} for the forecast URL. Raises OutsideCoverage on 404."""
        # NWS wants at most 4 decimals (it redirects otherwise).
        url = f"{self.nws_url}/points/{lat:.4f},{lon:.4f}"
        try:
            doc = self._get_json(url, "weather service", accept="application/geo+json")
        except _HTTPStatus as e:
            if e.status == 404:
                raise OutsideCoverage(
                    "the US National Weather Service has no forecast for this location "
                    "(it covers the United States and its territories)"
                ) from None
            raise UpstreamError(f"weather service answered HTTP {e.status}") from None
        props = doc.get("properties") if isinstance(doc, dict) else None
        if not isinstance(props, dict):
            raise UpstreamError("weather service returned an unexpected answer")
        forecast = props.get("forecast")
        if forecast is None:
            raise OutsideCoverage("the US National Weather Service has no forecast for this location")
        if not isinstance(forecast, str):
            raise UpstreamError("weather service returned an unexpected answer")
        # Only follow links back to the configured NWS host.
        if _origin(forecast) != _origin(self.nws_url):
            log.warning("refusing forecast link to another host: %s", forecast)
            raise UpstreamError("weather service returned a forecast link to another host")
        return forecast

    def periods(self, url: str) -> list:
        try:
            doc = self._get_json(url, "weather service", accept="application/geo+json")
        except _HTTPStatus as e:
            raise UpstreamError(f"weather service answered HTTP {e.status}") from None
        props = doc.get("properties") if isinstance(doc, dict) else None
        periods = props.get("periods") if isinstance(props, dict) else None
        if not isinstance(periods, list) or not all(isinstance(p, dict) for p in periods):
            raise UpstreamError("weather service returned an unexpected forecast")
        return periods

    # -- Provider -----------------------------------------------------------------------------

    def forecast(self, place: str) -> dict:
        if not isinstance(place, str) or not place.strip():
            raise BadRequest("missing 'msg': give a place name, e.g. ?msg=Chicago")
        if len(place) > MAX_PLACE_LENGTH:
            raise BadRequest(f"'msg' is too long (max {MAX_PLACE_LENGTH} characters)")
        place = place.strip()
        lat, lon, short, display = self.geocode(place)
        periods = self.periods(self.forecast_url(lat, lon))
        return {
            "place": short,
            "displayName": display,
            "query": place,
            "provider": self.name,
            "latitude": lat,
            "longitude": lon,
            "periods": periods,
        }

    def ready(self) -> tuple:
        # Readiness never calls upstream: an NWS outage must not take every pod out of the
        # Service; requests then get a clear 502 instead.
        return True, "ok"
