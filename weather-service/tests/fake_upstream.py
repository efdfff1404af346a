"""A local fake of Nominatim (/search) and api.weather.gov (/points, /gridpoints) on 127.0.0.1.

Used by the pytest suite (see conftest.py) and, as a script, by image-test.sh:
    python3 fake_upstream.py PORT_FILE      # serves until SIGTERM; writes its base URL to PORT_FILE
Only ever listens on 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CHICAGO = {
    "place_id": 1,
    "lat": "41.8755616",
    "lon": "-87.6244212",
    "name": "Chicago",
    "display_name": "Chicago, Cook County, Illinois, United States",
    "addresstype": "city",
}
PARIS = {
    "place_id": 2,
    "lat": "48.8534951",
    "lon": "2.3483915",
    "name": "Paris",
    "display_name": "Paris, Ile-de-France, Metropolitan France, France",
    "addresstype": "city",
}
FORECAST_PATH = "/gridpoints/LOT/76,73/forecast"
PERIODS = [
    {
        "number": 1,
        "name": "This Afternoon",
        "startTime": "2025-05-20T13:00:00-05:00",
        "endTime": "2025-05-20T18:00:00-05:00",
        "isDaytime": True,
        "temperature": 71,
        "temperatureUnit": "F",
        "temperatureTrend": None,
        "probabilityOfPrecipitation": {"unitCode": "wmoUnit:percent", "value": 20},
        "windSpeed": "10 to 15 mph",
        "windDirection": "SW",
        "shortForecast": "Partly Sunny",
        "detailedForecast": "Partly sunny, with a high near 71. Southwest wind 10 to 15 mph.",
    },
    {
        "number": 2,
        "name": "Tonight",
        "startTime": "2025-05-20T18:00:00-05:00",
        "endTime": "2025-05-21T06:00:00-05:00",
        "isDaytime": False,
        "temperature": 55,
        "temperatureUnit": "F",
        "temperatureTrend": None,
        "probabilityOfPrecipitation": {"unitCode": "wmoUnit:percent", "value": 40},
        "windSpeed": "5 to 10 mph",
        "windDirection": "W",
        "shortForecast": "Chance Showers And Thunderstorms",
        "detailedForecast": "A chance of showers and thunderstorms. Mostly cloudy, with a low around 55.",
    },
]


class FakeUpstream:
    """Nominatim (/search) and api.weather.gov (/points, /gridpoints) on 127.0.0.1:<ephemeral>.

    Behaviour per route prefix can be overridden with ``override(prefix, status=, body=, raw=, delay=)``.
    Every request is recorded in ``requests`` as (path, query dict, headers dict).
    """

    def __init__(self):
        self.overrides = {}
        self.requests = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                with fake._lock:
                    fake.requests.append((parts.path, query, dict(self.headers.items())))
                status, payload, delay = fake.respond(parts.path, query)
                if delay:
                    time.sleep(delay)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def override(self, prefix, status=200, body=None, raw=None, delay=0.0):
        self.overrides[prefix] = (status, raw if raw is not None else body, delay)

    def paths(self):
        return [p for p, _, _ in self.requests]

    def respond(self, path, query):
        for prefix, answer in self.overrides.items():
            if path.startswith(prefix):
                return answer
        if path == "/search":
            q = query.get("q", "").strip().lower()
            if q == "chicago":
                return 200, [CHICAGO], 0
            if q == "paris":
                return 200, [PARIS], 0
            return 200, [], 0
        if path.startswith("/points/"):
            if path == "/points/41.8756,-87.6244":
                return 200, {"properties": {"forecast": self.url + FORECAST_PATH, "gridId": "LOT"}}, 0
            return 404, {
                "type": "https://api.weather.gov/problems/InvalidPoint",
                "title": "Data Unavailable For Requested Point",
                "status": 404,
            }, 0
        if path == FORECAST_PATH:
            return 200, {"properties": {"updated": "2025-05-20T17:00:00+00:00", "periods": PERIODS}}, 0
        return 404, {"title": "Not Found", "status": 404}, 0


def main(argv):
    fake = FakeUpstream()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake.start()
    # Written aside and renamed into place, so a reader never sees half a URL.
    with open(argv[1] + ".tmp", "w") as f:
        f.write(fake.url + "\n")
    os.replace(argv[1] + ".tmp", argv[1])
    stop.wait()
    fake.stop()


if __name__ == "__main__":
    main(sys.argv)
