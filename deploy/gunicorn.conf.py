"""gunicorn settings of the portal and the office's pages (Dockerfile, docker-compose, bench).

Threaded workers: a request waiting on the database or the cache does not hold a whole
process, so a 2-core machine serves 20 concurrent staff without queueing behind one slow
page. Each thread keeps its own database connection (CONN_MAX_AGE)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
# Recycle workers now and then, so a leak in a library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
