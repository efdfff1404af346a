"""Deterministic, network-free forecasts for a built-in set of US cities.

For CI sandboxes and smoke tests. The same city always gets the same temperatures, winds and
conditions; period names and times follow the current date in the city's (standard-time) UTC offset,
or a fixed date from OFFLINE_FORECAST_DATE=YYYY-MM-DD. The response has the same shape as the nws
provider's.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping, Optional

from ..errors import BadRequest, PlaceNotFound
from .base import Provider


@dataclass(frozen=True)
class City:
    name: str
    state: str  # two-letter code
    state_name: str
    latitude: float
    longitude: float
    utc_offset_hours: int  # standard time; DST is ignored on purpose (deterministic)
    base_high_f: int  # a typical daytime high, used as the centre of the generated values
    aliases: tuple = field(default=())

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.state_name}, United States"


CITIES = (
    City("Chicago", "IL", "Illinois", 41.8781, -87.6298, -6, 70),
    City("New York", "NY", "New York", 40.7128, -74.0060, -5, 68, ("new york city", "nyc")),
    City("Los Angeles", "CA", "California", 34.0522, -118.2437, -8, 78, ("la",)),
    City("San Francisco", "CA", "California", 37.7749, -122.4194, -8, 64, ("sf",)),
    City("Seattle", "WA", "Washington", 47.6062, -122.3321, -8, 62),
    City("Denver", "CO", "Colorado", 39.7392, -104.9903, -7, 66),
    City("Phoenix", "AZ", "Arizona", 33.4484, -112.0740, -7, 92),
    City("Houston", "TX", "Texas", 29.7604, -95.3698, -6, 84),
    City("Miami", "FL", "Florida", 25.7617, -80.1918, -5, 86),
    City("Atlanta", "GA", "Georgia", 33.7490, -84.3880, -5, 76),
    City("Boston", "MA", "Massachusetts", 42.3601, -71.0589, -5, 64),
    City("Washington", "DC", "District of Columbia", 38.9072, -77.0369, -5, 72,
         ("washington dc", "washington d c", "dc")),
)

_COUNTRY_WORDS = {"us", "usa", "united states", "united states of america", "america"}

# (shortForecast by day, shortForecast by night, probability of precipitation %)
_CONDITIONS = (
    ("Sunny", "Clear", 0),
    ("Mostly Sunny", "Mostly Clear", 0),
    ("Partly Sunny", "Partly Cloudy", 10),
    ("Mostly Cloudy", "Mostly Cloudy", 10),
    ("Slight Chance Rain Showers", "Slight Chance Rain Showers", 20),
    ("Chance Showers And Thunderstorms", "Chance Showers And Thunderstorms", 40),
    ("Rain Showers Likely", "Rain Showers Likely", 60),
)
_DIRECTIONS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_DIRECTION_WORDS = {
    "N": "North", "NE": "Northeast", "E": "East", "SE": "Southeast",
    "S": "South", "SW": "Southwest", "W": "West", "NW": "Northwest",
}
PERIOD_COUNT = 14
MAX_PLACE_LENGTH = 200


def normalize(text: str) -> str:
    """Case-folds and strips punctuation other than commas, collapsing whitespace."""
    text = text.casefold().replace(".", " ")
    text = re.sub(r"[^\w,\s-]", " ", text)
    text = re.sub(r"\s*,\s*", ",", text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def _build_index() -> dict:
    index = {}
    for city in CITIES:
        for key in (city.name, *city.aliases):
            index[normalize(key)] = city
    return index


_INDEX = _build_index()


def find_city(place: str) -> Optional[City]:
    """Finds a built-in city: exact name or alias, or "Name, ST" / "Name, State[, USA]"."""
    key = normalize(place)
    if key in _INDEX:
        return _INDEX[key]
    if "," in key:
        head, *rest = key.split(",")
        city = _INDEX.get(head.strip())
        if city is not None:
            allowed = {city.state.casefold(), normalize(city.state_name)} | _COUNTRY_WORDS
            allowed = {word.replace(" ", "") for word in allowed}
            if all(part.replace(" ", "") in allowed for part in rest):
                return city
    return None


def _unit(seed: str) -> int:
    """A deterministic 32-bit number for a seed string (unlike hash(), stable across processes)."""
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest()[:4], "big")


class OfflineProvider(Provider):
    name = "offline"

    def __init__(self, today: Optional[dt.date] = None, clock: Optional[Callable[[], dt.datetime]] = None):
        self._today = today
        self._clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "OfflineProvider":
        raw = (env.get("OFFLINE_FORECAST_DATE") or "").strip()
        today = None
        if raw:
            try:
                today = dt.date.fromisoformat(raw)
            except ValueError:
                raise ValueError(f"OFFLINE_FORECAST_DATE must be YYYY-MM-DD, got {raw!r}") from None
        return cls(today=today)

    @staticmethod
    def cities() -> list:
        return [c.name for c in CITIES]

    def forecast(self, place: str) -> dict:
        if not isinstance(place, str) or not place.strip():
            raise BadRequest("missing 'msg': give a place name, e.g. ?msg=Chicago")
        if len(place) > MAX_PLACE_LENGTH:
            raise BadRequest(f"'msg' is too long (max {MAX_PLACE_LENGTH} characters)")
        city = find_city(place)
        if city is None:
            raise PlaceNotFound(f"no place found for {place.strip()!r}")
        return {
            "place": city.name,
            "displayName": city.display_name,
            "query": place.strip(),
            "provider": self.name,
            "latitude": city.latitude,
            "longitude": city.longitude,
            "periods": self._periods(city),
        }

    def _local_today(self, city: City) -> dt.date:
        if self._today is not None:
            return self._today
        tz = dt.timezone(dt.timedelta(hours=city.utc_offset_hours))
        return self._clock().astimezone(tz).date()

    def _periods(self, city: City) -> list:
        tz = dt.timezone(dt.timedelta(hours=city.utc_offset_hours))
        first = self._local_today(city)
        periods = []
        for i in range(PERIOD_COUNT):
            day = first + dt.timedelta(days=i // 2)
            is_day = i % 2 == 0
            if is_day:
                start = dt.datetime.combine(day, dt.time(6), tz)
                end = dt.datetime.combine(day, dt.time(18), tz)
            else:
                start = dt.datetime.combine(day, dt.time(18), tz)
                end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(6), tz)
            if i == 0:
                name = "Today"
            elif i == 1:
                name = "Tonight"
            else:
                name = day.strftime("%A") + ("" if is_day else " Night")

            r = _unit(f"{city.name}|{i}")
            day_day = _unit(f"{city.name}|day|{i // 2}")  # shared by a day and its night
            high = city.base_high_f + (day_day % 13) - 6
            temperature = high if is_day else high - 10 - (r % 9)
            cond_day, cond_night, pop = _CONDITIONS[(r >> 8) % len(_CONDITIONS)]
            short = cond_day if is_day else cond_night
            direction = _DIRECTIONS[(r >> 16) % len(_DIRECTIONS)]
            low_wind = 3 + (r >> 20) % 8
            high_wind = low_wind + (r >> 24) % 8
            wind = f"{low_wind} mph" if high_wind == low_wind else f"{low_wind} to {high_wind} mph"
            detail = (
                f"{short}, with a {'high near' if is_day else 'low around'} {temperature}. "
                f"{_DIRECTION_WORDS[direction]} wind {wind}."
            )
            if pop:
                detail += f" Chance of precipitation is {pop}%."
            periods.append({
                "number": i + 1,
                "name": name,
                "startTime": start.isoformat(),
                "endTime": end.isoformat(),
                "isDaytime": is_day,
                "temperature": temperature,
                "temperatureUnit": "F",
                "temperatureTrend": None,
                "probabilityOfPrecipitation": {"unitCode": "wmoUnit:percent", "value": pop},
                "windSpeed": wind,
                "windDirection": direction,
                "shortForecast": short,
                "detailedForecast": detail,
            })
        return periods
