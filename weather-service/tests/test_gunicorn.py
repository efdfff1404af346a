"""gunicorn.conf.py for real: gunicorn on 127.0.0.1, offline provider, JSON access log on stdout."""
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request

import pytest

from conftest import SERVICE_DIR
from log_lines import LineReader, wait_for_lines

gunicorn = pytest.importorskip("gunicorn")
from gunicorn.config import Config  # noqa: E402

# Settings gunicorn.conf.py uses that Debian bookworm's gunicorn 20.1 lacks, with the release that
# added them (20.1 ignores them; from that release on they must exist and be honoured).
NEWER_SETTINGS = {"control_socket_disable": (25, 1)}
INSTALLED = tuple(int(part) for part in gunicorn.__version__.split(".")[:2])


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
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, WEATHER_PROVIDER="offline", GUNICORN_BIND=f"127.0.0.1:{port}",
               WEB_CONCURRENCY="1", ACCESS_LOG_EXCLUDE="/readyz", APP_VERSION="test-1",
               HOME=str(home))
    env.pop("XDG_RUNTIME_DIR", None)  # so gunicorn's per-user files would land in HOME
    out_path, err_path = tmp_path / "out", tmp_path / "err"
    # gunicorn gets files of its own (append mode), and the test reads them through descriptors of
    # its own (LineReader): reading through the inherited file object would move gunicorn's offset.
    with open(out_path, "ab") as out, open(err_path, "ab") as err:
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
                pytest.fail("gunicorn did not start:\n" + err_path.read_text())
            time.sleep(0.1)
        yield base, out_path, err_path, home
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_gunicorn_serves_and_logs_json(server):
    base, out_path, err_path, home = server
    status, body = get(base + "/?msg=Chicago")
    assert status == 200 and body["success"] is True and body["response"]["place"] == "Chicago"
    assert get(base + "/?msg=Atlantis")[0] == 404
    status, body = get(base + "/healthz")
    assert status == 200 and body == {"status": "ok", "version": "test-1"}

    # gunicorn writes the access line after the response, so wait for it; only complete lines count.
    with LineReader(out_path) as stdout:
        raw = wait_for_lines(stdout, lambda got: len(got) >= 3, timeout=10)
    lines = [json.loads(line) for line in raw]
    # every stdout line is a JSON access record; /readyz is excluded by ACCESS_LOG_EXCLUDE. In any
    # order: each of the 4 threads logs after sending its response, so a later request may log first.
    assert sorted((l["method"], l["path"], l["query"], l["status"]) for l in lines) == [
        ("GET", "/", "msg=Atlantis", 404),
        ("GET", "/", "msg=Chicago", 200),
        ("GET", "/healthz", "", 200),
    ]
    for line in lines:
        assert line["type"] == "access"
        assert line["remote"] == "127.0.0.1"
        assert isinstance(line["duration_ms"], float)
        assert line["bytes"] > 0
        assert line["time"].endswith("+00:00")
    errlog = err_path.read_text()
    assert "Listening at: http://127.0.0.1:" in errlog
    # gunicorn >= 25.1 opens a control socket under $HOME unless told not to (see gunicorn.conf.py):
    # in the image HOME is /nonexistent on a read-only root.
    assert not (home / ".gunicorn").exists()
    assert "Control socket" not in errlog and "Control server" not in errlog


@pytest.fixture
def conf(monkeypatch):
    """gunicorn.conf.py's names, with none of its environment overrides set."""
    for var in ("PORT", "GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                "LOG_LEVEL", "FORWARDED_ALLOW_IPS", "ACCESS_LOG_EXCLUDE"):
        monkeypatch.delenv(var, raising=False)
    namespace = runpy.run_path(os.path.join(SERVICE_DIR, "gunicorn.conf.py"))
    return {k: v for k, v in namespace.items()
            if not k.startswith("_") and k == k.lower() and not isinstance(v, types.ModuleType)}


def test_every_name_in_gunicorn_conf_is_a_setting_of_the_installed_gunicorn(conf):
    known = Config().settings
    assert {"bind", "worker_class", "accesslog", "logger_class"} <= set(conf)
    for name in sorted(conf):
        if INSTALLED < NEWER_SETTINGS.get(name, (0, 0)):
            continue
        assert name in known, f"gunicorn {gunicorn.__version__} has no setting {name!r}: it would be ignored"


def test_gunicorn_reads_gunicorn_conf_as_meant(conf):
    cfg = Config()
    for name, value in conf.items():
        if name in cfg.settings:  # what gunicorn's own loader does
            cfg.set(name, value)
    assert cfg.bind == ["0.0.0.0:5000"]
    assert (cfg.worker_class_str, cfg.workers, cfg.threads) == ("gthread", 2, 4)
    assert (cfg.timeout, cfg.graceful_timeout, cfg.keepalive) == (30, 10, 5)
    assert (cfg.accesslog, cfg.errorlog, cfg.loglevel, cfg.capture_output) == ("-", "-", "info", False)
    assert cfg.logger_class.__name__ == "JsonAccessLogger"
    assert "127.0.0.1" in str(cfg.forwarded_allow_ips) and "::1" not in str(cfg.forwarded_allow_ips)
    if INSTALLED >= NEWER_SETTINGS["control_socket_disable"]:
        assert cfg.control_socket_disable is True
