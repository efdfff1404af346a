"""The Flask app with the offline provider, through Flask's test client."""
import datetime as dt

import pytest

from weather_service import create_app
from weather_service.providers import OfflineProvider


@pytest.fixture
def client():
    app = create_app(OfflineProvider(today=dt.date(2025, 5, 20)))
    app.testing = True
    return app.test_client()


def check_chicago(body):
    assert body["success"] is True
    r = body["response"]
    assert r["place"] == "Chicago"
    assert r["provider"] == "offline"
    assert len(r["periods"]) == 14
    assert r["periods"][0]["name"] == "Today"
    assert r["periods"][0]["temperatureUnit"] == "F"


def test_get_query_string(client):
    resp = client.get("/?msg=Chicago")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    check_chicago(resp.get_json())
    # "success" comes first, like the original service
    assert resp.get_data(as_text=True).startswith('{"success":true')


def test_post_json(client):
    resp = client.post("/", json={"msg": "Chicago"})
    assert resp.status_code == 200
    check_chicago(resp.get_json())


def test_post_json_with_charset(client):
    resp = client.post("/", data='{"msg": "chicago"}', content_type="application/json; charset=utf-8")
    assert resp.status_code == 200
    check_chicago(resp.get_json())


def test_post_form_and_query_string(client):
    assert client.post("/", data={"msg": "Chicago"}).status_code == 200
    assert client.post("/?msg=Chicago").status_code == 200
    # JSON body without msg falls back to the query string
    check_chicago(client.post("/?msg=Chicago", json={}).get_json())


def test_same_answer_get_and_post(client):
    assert client.get("/?msg=Chicago").get_json() == client.post("/", json={"msg": "Chicago"}).get_json()


@pytest.mark.parametrize("call", [
    lambda c: c.get("/"),
    lambda c: c.get("/?msg="),
    lambda c: c.get("/?msg=%20%20"),
    lambda c: c.post("/"),
    lambda c: c.post("/", json={}),
    lambda c: c.post("/", json={"msg": ""}),
    lambda c: c.post("/", json={"place": "Chicago"}),
    lambda c: c.post("/", data="", content_type="application/json"),
])
def test_missing_msg_is_400(client, call):
    resp = call(client)
    assert resp.status_code == 400
    assert resp.get_json() == {
        "success": False,
        "error": "missing 'msg': give a place name, e.g. ?msg=Chicago",
        "code": "bad_request",
    }


@pytest.mark.parametrize("kwargs,error", [
    ({"data": "{not json", "content_type": "application/json"}, "request body is not valid JSON"),
    ({"json": ["Chicago"]}, 'JSON body must be an object like {"msg": "Chicago"}'),
    ({"json": {"msg": 42}}, "'msg' must be a string"),
    ({"json": {"msg": "x" * 300}}, "'msg' is too long (max 200 characters)"),
])
def test_invalid_input_is_400(client, kwargs, error):
    resp = client.post("/", **kwargs)
    assert resp.status_code == 400
    assert resp.get_json() == {"success": False, "error": error, "code": "bad_request"}


def test_unknown_place_is_404(client):
    for resp in (client.get("/?msg=Atlantis"), client.post("/", json={"msg": "Atlantis"})):
        assert resp.status_code == 404
        assert resp.get_json() == {
            "success": False, "error": "no place found for 'Atlantis'", "code": "place_not_found"}


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "ok"
    assert "version" in resp.get_json()


def test_readyz(client):
    resp = client.get("/readyz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ready", "provider": "offline", "detail": "ok"}


def test_readyz_not_ready():
    class NotReady(OfflineProvider):
        def ready(self):
            return False, "warming up"

    app = create_app(NotReady())  # keep a reference: Flask 2.2's JSON provider holds the app weakly
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "not ready", "provider": "offline", "detail": "warming up"}


def test_unknown_route_and_method_are_json(client):
    resp = client.get("/nope")
    assert resp.status_code == 404
    assert resp.get_json()["success"] is False
    assert resp.get_json()["code"] == "not_found"
    resp = client.delete("/")
    assert resp.status_code == 405
    assert resp.get_json()["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def test_unexpected_error_is_json_500():
    class Broken(OfflineProvider):
        def forecast(self, place):
            raise RuntimeError("boom")

    app = create_app(Broken())
    resp = app.test_client().get("/?msg=Chicago")
    assert resp.status_code == 500
    assert resp.get_json() == {"success": False, "error": "internal error", "code": "internal_error"}


def test_create_app_from_env(monkeypatch):
    monkeypatch.setenv("WEATHER_PROVIDER", "offline")
    app = create_app()
    resp = app.test_client().get("/?msg=Chicago")
    assert resp.status_code == 200
    assert resp.get_json()["response"]["provider"] == "offline"
