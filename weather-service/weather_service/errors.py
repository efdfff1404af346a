"""Errors that map to a JSON error response with a given HTTP status."""
from __future__ import annotations


class WeatherError(Exception):
    """Base class: carries the HTTP status and a machine-readable code."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_body(self) -> dict:
        return {"success": False, "error": self.message, "code": self.code}


class BadRequest(WeatherError):
    """The request itself is wrong (missing or invalid `msg`)."""

    status = 400
    code = "bad_request"


class PlaceNotFound(WeatherError):
    """The place name does not resolve to any location."""

    status = 404
    code = "place_not_found"


class OutsideCoverage(WeatherError):
    """The place exists but the provider has no forecast for it (e.g. outside the US for NWS)."""

    status = 422
    code = "outside_coverage"


class UpstreamError(WeatherError):
    """An upstream service failed, timed out or answered something unusable."""

    status = 502
    code = "upstream_error"
