"""The ``gunicorn.conf.py`` production_server creates."""

from __future__ import annotations

GUNICORN_CONF = '''"""Gunicorn settings: the app served by several Uvicorn worker processes.

Start the app with: {command}
Written by fastapi-codemods (production_server); the environment overrides each value.
"""

import multiprocessing
import os

# BIND (host:port) wins; else every interface on PORT, the variable hosts set.
bind = os.environ.get("BIND", "0.0.0.0:" + os.environ.get("PORT", "8000"))

# WEB_CONCURRENCY is the usual knob (Heroku, Render); else gunicorn's 2 x cores + 1.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))

# Each worker runs the ASGI app under Uvicorn (package uvicorn-worker), with uvloop
# and httptools when uvicorn[standard] is installed.
worker_class = "uvicorn_worker.UvicornWorker"

# One line per request on the console, as uvicorn printed them ("-" is stdout).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")

# A worker silent this long (seconds) is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))

# On a restart or shutdown, time for in-flight requests to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))

# Seconds an idle keep-alive connection stays open: keep it above a proxy's own.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
'''


def render(command: str) -> str:
    """The config file, naming the command that starts the app with it."""
    return GUNICORN_CONF.format(command=command)
