"""gunicorn settings for weather-service (gunicorn 20.1 from Debian and 27 from pip, requirements.txt).

gunicorn ignores names it does not know, so a renamed setting would silently do nothing:
tests/test_gunicorn.py checks each name here against the installed gunicorn.

Env overrides: PORT (default 5000; GUNICORN_BIND=host:port replaces the whole bind address), WEB_CONCURRENCY (workers, default 2), GUNICORN_THREADS
(default 4), GUNICORN_TIMEOUT (default 30), LOG_LEVEL (default info),
ACCESS_LOG_EXCLUDE (comma-separated paths not to log, e.g. "/healthz,/readyz"; default none).
"""
import datetime
import json
import os

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
keepalive = 5
# The root filesystem may be read-only (Kubernetes readOnlyRootFilesystem, docker --read-only):
# heartbeat files go to /dev/shm, which is always a writable tmpfs in a container.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
loglevel = os.environ.get("LOG_LEVEL", "info")
accesslog = "-"  # stdout
errorlog = "-"  # stderr
capture_output = False
# Gunicorn reads X-Forwarded-* only from these peers (default 127.0.0.1).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn >= 25.1 serves a control socket (gunicornc) at $XDG_RUNTIME_DIR or $HOME/.gunicorn by
# default: nothing here uses it, HOME is /nonexistent on a read-only root in the image, and two
# gunicorns under one HOME would unlink each other's socket. (20.1 ignores the name.)
control_socket_disable = True

_EXCLUDE = {p.strip() for p in os.environ.get("ACCESS_LOG_EXCLUDE", "").split(",") if p.strip()}


class JsonAccessLogger(Logger):
    """Writes one JSON object per request to the access log (stdout)."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        path = environ.get("PATH_INFO", "")
        if path in _EXCLUDE:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        try:
            status = int(status)
        except (TypeError, ValueError):
            pass
        duration_ms = request_time.seconds * 1000 + request_time.microseconds / 1000.0
        line = {
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
            "type": "access",
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": environ.get("REQUEST_METHOD"),
            "path": path,
            "query": environ.get("QUERY_STRING", ""),
            "protocol": environ.get("SERVER_PROTOCOL"),
            "status": status,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(duration_ms, 3),
            "user_agent": environ.get("HTTP_USER_AGENT", ""),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(line, separators=(",", ":")))
        except Exception:  # never let logging break a request
            self.exception("access log failed")


logger_class = JsonAccessLogger
