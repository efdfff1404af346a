"""gunicorn.conf.py for real: gunicorn on 127.0.0.1, offline provider, JSON access log on stdout."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import SERVICE_DIR

pytest.importorskip("gunicorn")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = dict(os.environ, WEATHER_PROVIDER="offline", GUNICORN_BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="1", ACCESS_LOG_EXCLUDE="/readyz", APP_VERSION="test-1")
    out, err = open(tmp_path / "out", "w+"), open(tmp_path / "err", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                            cwd=SERVICE_DIR, env=env, stdout=out, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if get(base + "/readyz")[0] == 200:
                    break
            except (OSError, ValueError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err.seek(0)
                pytest.fail("gunicorn did not start:\n" + err.read())
            time.sleep(0.1)
        yield base, out, err
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()
        err.close()


def test_gunicorn_serves_and_logs_json(server):
    base, out, err = server
    status, body = get(base + "/?msg=Chicago")
    assert status == 200 and body["success"] is True and body["response"]["place"] == "Chicago"
    assert get(base + "/?msg=Atlantis")[0] == 404
    status, body = get(base + "/healthz")
    assert status == 200 and body == {"status": "ok", "version": "test-1"}

    lines = []
    deadline = time.monotonic() + 5
    while len(lines) < 3 and time.monotonic() < deadline:
        out.seek(0)
        lines = [json.loads(line) for line in out.read().splitlines() if line.strip()]
        time.sleep(0.05)
    # every stdout line is a JSON access record; /readyz is excluded by ACCESS_LOG_EXCLUDE
    assert [(l["method"], l["path"], l["query"], l["status"]) for l in lines] == [
        ("GET", "/", "msg=Chicago", 200),
        ("GET", "/", "msg=Atlantis", 404),
        ("GET", "/healthz", "", 200),
    ]
    for line in lines:
        assert line["type"] == "access"
        assert line["remote"] == "127.0.0.1"
        assert isinstance(line["duration_ms"], float)
        assert line["bytes"] > 0
        assert line["time"].endswith("+00:00")
    err.seek(0)
    assert "Listening at: http://127.0.0.1:" in err.read()
