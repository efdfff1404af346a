"""The Flask application: GET/POST / with `msg`, plus /healthz and /readyz."""
from __future__ import annotations

import logging
from typing import Optional

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .errors import BadRequest, WeatherError
from .providers import Provider, provider_from_env

log = logging.getLogger("weather_service")


def _place_from_request() -> str:
    """The `msg` parameter: from a JSON body (POST), else the query string or a form field."""
    msg = None
    if request.is_json:
        body = request.get_json(silent=True)
        if body is None:
            if request.get_data(cache=True):
                raise BadRequest("request body is not valid JSON")
        elif not isinstance(body, dict):
            raise BadRequest('JSON body must be an object like {"msg": "Chicago"}')
        else:
            msg = body.get("msg")
    if msg is None:
        msg = request.values.get("msg")
    if msg is None or (isinstance(msg, str) and not msg.strip()):
        raise BadRequest("missing 'msg': give a place name, e.g. ?msg=Chicago")
    if not isinstance(msg, str):
        raise BadRequest("'msg' must be a string")
    return msg


def create_app(provider: Optional[Provider] = None) -> Flask:
    """Builds the app. Without a provider, WEATHER_PROVIDER chooses one (default: nws)."""
    from . import __version__

    app = Flask(__name__)
    app.json.sort_keys = False  # keep "success" first, periods in NWS field order
    provider = provider if provider is not None else provider_from_env()
    app.config["WEATHER_PROVIDER"] = provider

    @app.route("/", methods=["GET", "POST"])
    def weather():
        try:
            place = _place_from_request()
            forecast = provider.forecast(place)
        except WeatherError as e:
            if e.status >= 500:
                log.warning("forecast failed: %s", e.message)
            return jsonify(e.to_body()), e.status
        return jsonify({"success": True, "response": forecast})

    @app.route("/healthz", methods=["GET"])
    def healthz():
        # Liveness: the process answers. No upstream calls.
        return jsonify({"status": "ok", "version": __version__})

    @app.route("/readyz", methods=["GET"])
    def readyz():
        ok, detail = provider.ready()
        body = {"status": "ready" if ok else "not ready", "provider": provider.name, "detail": detail}
        return jsonify(body), (200 if ok else 503)

    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        # 404 for unknown routes, 405 for other methods, ... as JSON like everything else.
        resp = jsonify({"success": False, "error": e.description, "code": e.name.lower().replace(" ", "_")})
        resp.status_code = e.code or 500
        if e.code == 405 and hasattr(e, "valid_methods") and e.valid_methods:
            resp.headers["Allow"] = ", ".join(e.valid_methods)
        return resp

    @app.errorhandler(Exception)
    def unexpected(e: Exception):
        log.exception("unhandled error")
        return jsonify({"success": False, "error": "internal error", "code": "internal_error"}), 500

    return app
