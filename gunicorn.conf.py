"""Gunicorn settings for production; gunicorn reads ./gunicorn.conf.py by itself.

Measured with bench/bench_votes.py (ballots through gunicorn on PostgreSQL, 16 clients):
on 2 CPUs, 5 gthread workers × 4 threads did best of the shapes tried (2×8, 3×4, 8×2, 16
sync). Override with WEB_CONCURRENCY (workers), GUNICORN_THREADS and GUNICORN_BIND.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 30  # phones on a compound's Wi-Fi reconnect slowly; keep their connections
