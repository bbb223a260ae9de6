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
# No recycling by default: a gthread worker that reaches max_requests (gunicorn 23) leaves its
# loop at once, cancels the requests queued for its threads and closes the connections it has
# accepted but not yet read, so clients get "connection reset" (the table_api and
# dashboard_load benches saw 1-2 per phase), and the fresh worker starts with empty caches.
# GUNICORN_MAX_REQUESTS=N turns it back on where a leak has to be contained.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
