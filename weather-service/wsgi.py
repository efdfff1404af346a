"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app`."""
import logging

from weather_service import create_app

# Under gunicorn, send the app's own log lines (upstream warnings, errors) to gunicorn's error log.
_gunicorn_error = logging.getLogger("gunicorn.error")
if _gunicorn_error.handlers:
    _app_log = logging.getLogger("weather_service")
    _app_log.handlers = list(_gunicorn_error.handlers)
    _app_log.setLevel(_gunicorn_error.level)
    _app_log.propagate = False

app = create_app()
