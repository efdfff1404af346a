"""The offline provider on its own."""
import datetime as dt

import pytest

from weather_service.errors import BadRequest, PlaceNotFound
from weather_service.providers import OfflineProvider, provider_from_env
from weather_service.providers.offline import PERIOD_COUNT, find_city

PERIOD_KEYS = {
    "number", "name", "startTime", "endTime", "isDaytime", "temperature", "temperatureUnit",
    "temperatureTrend", "probabilityOfPrecipitation", "windSpeed", "windDirection",
    "shortForecast", "detailedForecast",
}


def test_chicago_shape():
    r = OfflineProvider(today=dt.date(2025, 5, 20)).forecast("Chicago")
    assert list(r) == ["place", "displayName", "query", "provider", "latitude", "longitude", "periods"]
    assert r["place"] == "Chicago"
    assert r["displayName"] == "Chicago, Illinois, United States"
    assert r["query"] == "Chicago"
    assert r["provider"] == "offline"
    assert (r["latitude"], r["longitude"]) == (41.8781, -87.6298)
    assert len(r["periods"]) == PERIOD_COUNT == 14
    for i, p in enumerate(r["periods"]):
        assert set(p) == PERIOD_KEYS
        assert p["number"] == i + 1
        assert p["isDaytime"] is (i % 2 == 0)
        assert p["temperatureUnit"] == "F"
        assert isinstance(p["temperature"], int)
        assert p["windSpeed"].endswith(" mph")
        assert p["shortForecast"] and p["detailedForecast"].startswith(p["shortForecast"])
    first, second, third = r["periods"][:3]
    assert (first["name"], second["name"], third["name"]) == ("Today", "Tonight", "Wednesday")
    assert first["startTime"] == "2025-05-20T06:00:00-06:00"
    assert first["endTime"] == second["startTime"] == "2025-05-20T18:00:00-06:00"
    assert second["endTime"] == "2025-05-21T06:00:00-06:00"
    assert r["periods"][-1]["name"] == "Monday Night"
    # a night is colder than its day
    assert second["temperature"] < first["temperature"]


def test_deterministic_across_instances_and_dates():
    a = OfflineProvider(today=dt.date(2025, 5, 20)).forecast("Chicago")
    b = OfflineProvider(today=dt.date(2025, 5, 20)).forecast("chicago")
    c = OfflineProvider(today=dt.date(2026, 1, 1)).forecast("CHICAGO")
    assert a["periods"] == b["periods"]
    strip = lambda r: [{k: v for k, v in p.items() if k not in ("name", "startTime", "endTime")} for p in r["periods"]]
    assert strip(a) == strip(c)
    # different cities differ
    assert strip(a) != strip(OfflineProvider(today=dt.date(2025, 5, 20)).forecast("Denver"))


def test_known_values_are_stable():
    # Pin a few generated values so an accidental change to the generator is noticed.
    r = OfflineProvider(today=dt.date(2025, 5, 20)).forecast("Chicago")
    p = r["periods"][0]
    assert (p["temperature"], p["shortForecast"], p["windSpeed"], p["windDirection"]) == (
        74, "Slight Chance Rain Showers", "7 mph", "SW")


@pytest.mark.parametrize("query,expected", [
    ("Chicago", "Chicago"), ("chicago", "Chicago"), ("  CHICAGO  ", "Chicago"), ("Chicago, IL", "Chicago"),
    ("chicago, illinois, usa", "Chicago"), ("new york", "New York"), ("NYC", "New York"),
    ("New York City", "New York"), ("los angeles", "Los Angeles"), ("la", "Los Angeles"),
    ("Seattle", "Seattle"), ("Denver", "Denver"), ("Miami", "Miami"), ("Houston", "Houston"),
    ("Boston", "Boston"), ("Phoenix", "Phoenix"), ("Atlanta", "Atlanta"), ("San Francisco", "San Francisco"),
    ("Washington, D.C.", "Washington"), ("washington dc", "Washington"),
])
def test_matching(query, expected):
    assert find_city(query).name == expected
    assert OfflineProvider().forecast(query)["place"] == expected


@pytest.mark.parametrize("query", ["Atlantis", "Paris", "Chicago, TX", "Chicagoo", "Springfield"])
def test_unknown_city(query):
    with pytest.raises(PlaceNotFound) as e:
        OfflineProvider().forecast(query)
    assert e.value.status == 404
    assert e.value.to_body() == {"success": False, "error": f"no place found for {query!r}", "code": "place_not_found"}


@pytest.mark.parametrize("query", ["", "   ", None, "x" * 201])
def test_bad_input(query):
    with pytest.raises(BadRequest) as e:
        OfflineProvider().forecast(query)
    assert e.value.status == 400


def test_default_date_follows_clock_in_city_offset():
    # 03:00 UTC on 21 May is still 20 May in Chicago (UTC-6) but 21 May in UTC.
    clock = lambda: dt.datetime(2025, 5, 21, 3, 0, tzinfo=dt.timezone.utc)
    p = OfflineProvider(clock=clock).forecast("Chicago")["periods"][0]
    assert p["startTime"] == "2025-05-20T06:00:00-06:00"


def test_from_env():
    p = provider_from_env({"WEATHER_PROVIDER": "Offline", "OFFLINE_FORECAST_DATE": "2025-05-20"})
    assert isinstance(p, OfflineProvider)
    assert p.forecast("Chicago")["periods"][0]["startTime"].startswith("2025-05-20T")
    with pytest.raises(ValueError):
        provider_from_env({"WEATHER_PROVIDER": "offline", "OFFLINE_FORECAST_DATE": "tomorrow"})
    with pytest.raises(ValueError, match="unknown WEATHER_PROVIDER"):
        provider_from_env({"WEATHER_PROVIDER": "accuweather"})


def test_default_provider_is_nws():
    assert provider_from_env({}).name == "nws"


def test_ready():
    assert OfflineProvider().ready() == (True, "ok")
