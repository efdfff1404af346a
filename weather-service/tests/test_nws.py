"""The nws provider against a local fake of Nominatim + api.weather.gov (127.0.0.1 only)."""
import time

import pytest

from fake_upstream import FORECAST_PATH, PERIODS
from weather_service import create_app
from weather_service.errors import OutsideCoverage, PlaceNotFound, UpstreamError
from weather_service.providers import NWSProvider, provider_from_env

UPSTREAM_TIMEOUT = 0.3


@pytest.fixture
def provider(fake_upstream):
    return NWSProvider(nominatim_url=fake_upstream.url, nws_url=fake_upstream.url,
                       timeout=UPSTREAM_TIMEOUT, user_agent="weather-service-tests/1.0 (test@example.invalid)")


@pytest.fixture
def client(provider):
    app = create_app(provider)
    app.testing = True
    return app.test_client()


def error_body(code, error):
    return {"success": False, "error": error, "code": code}


def test_success(client, fake_upstream):
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 200
    assert resp.get_json() == {
        "success": True,
        "response": {
            "place": "Chicago",
            "displayName": "Chicago, Cook County, Illinois, United States",
            "query": "Chicago",
            "provider": "nws",
            "latitude": 41.8755616,
            "longitude": -87.6244212,
            "periods": PERIODS,
        },
    }
    assert fake_upstream.paths() == ["/search", "/points/41.8756,-87.6244", FORECAST_PATH]
    search_query = fake_upstream.requests[0][1]
    assert search_query["q"] == "Chicago"
    assert search_query["format"] == "jsonv2"
    assert search_query["limit"] == "1"
    for _, _, headers in fake_upstream.requests:
        assert headers["User-Agent"] == "weather-service-tests/1.0 (test@example.invalid)"
    assert fake_upstream.requests[1][2]["Accept"] == "application/geo+json"


def test_success_post(client):
    resp = client.post("/", json={"msg": "Chicago"})
    assert resp.status_code == 200
    assert resp.get_json()["response"]["periods"] == PERIODS


def test_geocode_cache(client, fake_upstream):
    assert client.get("/?msg=Chicago").status_code == 200
    assert client.get("/?msg=chicago").status_code == 200
    assert fake_upstream.paths().count("/search") == 1
    assert fake_upstream.paths().count(FORECAST_PATH) == 2  # forecasts are never cached


def test_unknown_place_is_404(client, fake_upstream):
    resp = client.get("/?msg=Atlantis")
    assert resp.status_code == 404
    assert resp.get_json() == error_body("place_not_found", "no place found for 'Atlantis'")
    assert fake_upstream.paths() == ["/search"]


def test_non_us_place_is_422(client, fake_upstream):
    resp = client.get("/?msg=Paris")
    assert resp.status_code == 422
    assert resp.get_json() == error_body(
        "outside_coverage",
        "the US National Weather Service has no forecast for this location "
        "(it covers the United States and its territories)",
    )
    assert fake_upstream.paths() == ["/search", "/points/48.8535,2.3484"]


def test_points_without_forecast_link_is_422(client, fake_upstream):
    fake_upstream.override("/points/", body={"properties": {"forecast": None}})
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 422
    assert resp.get_json()["code"] == "outside_coverage"


@pytest.mark.parametrize("prefix,error", [
    ("/search", "geocoding service answered HTTP 500"),
    ("/points/", "weather service answered HTTP 500"),
    ("/gridpoints/", "weather service answered HTTP 500"),
])
def test_upstream_500_is_502(client, fake_upstream, prefix, error):
    fake_upstream.override(prefix, status=500, body={"title": "Unexpected Problem"})
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 502
    assert resp.get_json() == error_body("upstream_error", error)


def test_upstream_503_from_forecast_is_502(client, fake_upstream):
    fake_upstream.override("/gridpoints/", status=503, body={})
    resp = client.post("/", json={"msg": "Chicago"})
    assert resp.status_code == 502
    assert resp.get_json() == error_body("upstream_error", "weather service answered HTTP 503")


@pytest.mark.parametrize("prefix,error", [
    ("/search", "geocoding service timed out"),
    ("/points/", "weather service timed out"),
    ("/gridpoints/", "weather service timed out"),
])
def test_upstream_timeout_is_502(client, fake_upstream, prefix, error):
    fake_upstream.override(prefix, body=[], delay=UPSTREAM_TIMEOUT * 4)
    started = time.monotonic()
    resp = client.get("/?msg=Chicago")
    elapsed = time.monotonic() - started
    assert resp.status_code == 502
    assert resp.get_json() == error_body("upstream_error", error)
    assert elapsed < UPSTREAM_TIMEOUT * 3, f"took {elapsed:.2f}s: the timeout did not apply"


@pytest.mark.parametrize("prefix,raw,error", [
    ("/search", b"<html>not json</html>", "geocoding service returned invalid JSON"),
    ("/points/", b'{"properties": {"forecast": ', "weather service returned invalid JSON"),
    ("/gridpoints/", b"\xff\xfe garbage", "weather service returned invalid JSON"),
])
def test_malformed_json_is_502(client, fake_upstream, prefix, raw, error):
    fake_upstream.override(prefix, raw=raw)
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 502
    assert resp.get_json() == error_body("upstream_error", error)


@pytest.mark.parametrize("prefix,body,error", [
    ("/search", {"lat": 1}, "geocoding service returned an unexpected answer"),
    ("/search", [{"name": "Chicago"}], "geocoding service returned an unexpected answer"),
    ("/search", [{"lat": "91", "lon": "0"}], "geocoding service returned coordinates out of range"),
    ("/points/", {"type": "Feature"}, "weather service returned an unexpected answer"),
    ("/points/", {"properties": {"forecast": 7}}, "weather service returned an unexpected answer"),
    ("/gridpoints/", {"properties": {"periods": "soon"}}, "weather service returned an unexpected forecast"),
    ("/gridpoints/", [], "weather service returned an unexpected forecast"),
])
def test_unexpected_json_is_502(client, fake_upstream, prefix, body, error):
    fake_upstream.override(prefix, body=body)
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 502
    assert resp.get_json() == error_body("upstream_error", error)


def test_forecast_link_to_other_host_is_refused(client, fake_upstream):
    # Served from 127.0.0.1 but pointing at "localhost": a different origin; never followed.
    other = fake_upstream.url.replace("127.0.0.1", "localhost") + FORECAST_PATH
    fake_upstream.override("/points/", body={"properties": {"forecast": other}})
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 502
    assert resp.get_json() == error_body(
        "upstream_error", "weather service returned a forecast link to another host")
    assert FORECAST_PATH not in fake_upstream.paths()


def test_unreachable_upstream_is_502(fake_upstream):
    url = fake_upstream.url
    fake_upstream.stop()  # nothing listens on that port any more
    app = create_app(NWSProvider(nominatim_url=url, nws_url=url, timeout=UPSTREAM_TIMEOUT))
    resp = app.test_client().get("/?msg=Chicago")
    assert resp.status_code == 502
    assert resp.get_json() == error_body("upstream_error", "geocoding service is unreachable")
    fake_upstream.stop = lambda: None  # already stopped


def test_missing_msg_is_400_without_upstream_calls(client, fake_upstream):
    resp = client.get("/")
    assert resp.status_code == 400
    assert resp.get_json()["code"] == "bad_request"
    assert fake_upstream.requests == []


def test_health_endpoints_make_no_upstream_calls(client, fake_upstream):
    assert client.get("/healthz").status_code == 200
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ready", "provider": "nws", "detail": "ok"}
    assert fake_upstream.requests == []


def test_provider_from_env(fake_upstream, monkeypatch):
    p = provider_from_env({
        "WEATHER_PROVIDER": "nws", "NOMINATIM_URL": fake_upstream.url + "/",
        "NWS_URL": fake_upstream.url, "WEATHER_HTTP_TIMEOUT": "0.5", "WEATHER_USER_AGENT": "ua-test/2",
    })
    assert isinstance(p, NWSProvider)
    assert p.timeout == 0.5
    assert p.forecast("Chicago")["place"] == "Chicago"
    assert fake_upstream.requests[0][2]["User-Agent"] == "ua-test/2"


def test_provider_defaults_and_validation():
    p = provider_from_env({})
    assert p.nominatim_url == "https://nominatim.openstreetmap.org"
    assert p.nws_url == "https://api.weather.gov"
    assert p.timeout == 5.0
    assert p.user_agent.startswith("minikube-smoke-weather-service/")
    with pytest.raises(ValueError, match="NWS_URL"):
        NWSProvider(nws_url="ftp://example.invalid")
    with pytest.raises(ValueError, match="WEATHER_HTTP_TIMEOUT"):
        provider_from_env({"WEATHER_HTTP_TIMEOUT": "soon"})


def test_provider_errors_directly(provider):
    assert provider.forecast(" Chicago ")["query"] == "Chicago"
    with pytest.raises(PlaceNotFound):
        provider.forecast("Atlantis")
    with pytest.raises(OutsideCoverage):
        provider.forecast("Paris")


def test_provider_timeout_directly(provider, fake_upstream):
    fake_upstream.override("/search", body=[], delay=UPSTREAM_TIMEOUT * 4)
    with pytest.raises(UpstreamError, match="timed out"):
        provider.forecast("Chicago")
