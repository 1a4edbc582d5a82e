"""gunicorn settings of the register's web servers: `gunicorn -c python:lvv.conf.gunicorn lvv.wsgi`.

The benchmark (`python -m bench --only web`) starts gunicorn with this same file, so what
docs/deployment.md recommends is what is measured. Every value can be overridden from the
environment or on the command line (command-line options win over this file).

- Worker processes: one per core (`GUNICORN_WORKERS`). Rendering a page is CPU work in Python,
  which one process does on one core at a time (the GIL); more processes than cores only take
  turns on the same cores and cost memory (about 120 MB each).
- Threads per worker (`GUNICORN_THREADS`, gthread): two. A request waiting for PostgreSQL or the
  access log's commit leaves the core to the other request of the same process; more threads
  than that made every request dearer on the benchmark machine (2 cores shared with PostgreSQL,
  person page under 32 clients: 3 workers x 4 threads 36-55 req/s and 33-49 ms CPU per request,
  2 x 2 50-63 req/s and 28-33 ms, alternated runs, docs/performance.md). Where PostgreSQL is on
  another machine a request waits longer for it: raise the threads there and measure. Each thread
  keeps its own database connection (`DB_CONN_MAX_AGE`), so servers x workers x threads x 2
  (register and access log) connections: size PgBouncer / `max_connections` for that.
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
# Requests that take longer are killed: pages answer in well under a second; long work (imports,
# exports, the monitor) runs as background jobs (lvv.jobs), never in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Behind a load balancer or proxy on another machine: trust its X-Forwarded-* headers
# (SECURE_PROXY_SSL_HEADER is set in production settings).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
