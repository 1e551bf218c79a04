"""Gunicorn settings for production; gunicorn reads ./gunicorn.conf.py by itself.

Gunicorn is the production server, so it runs the app in production mode
(TONGXIN_ENV=production) unless the environment says otherwise, and refuses to start, in
one line, a configuration that would misbehave there (core.config.check_environment):
no SECRET_KEY, or per-worker (memory://) rate limits with several workers.

Measured with bench/bench_votes.py (ballots through gunicorn on PostgreSQL, 16 clients):
on 2 CPUs, 5 gthread workers × 4 threads did best of the shapes tried (2×8, 3×4, 8×2, 16
sync). Override with WEB_CONCURRENCY (workers), GUNICORN_THREADS and GUNICORN_BIND.
"""

import multiprocessing
import os
import sys

os.environ.setdefault("TONGXIN_ENV", "production")

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30  # phones on a compound's Wi-Fi reconnect slowly; keep their connections


def on_starting(server):
    """Check the configuration in the master, with the worker count actually used (a
    -w on the command line included), before any worker boots."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from core.config import ConfigError, check_environment

    try:
        check_environment(os.environ, workers=server.cfg.workers)
    except ConfigError as err:
        raise RuntimeError(str(err)) from None  # gunicorn prints "Error: …" and exits 1
