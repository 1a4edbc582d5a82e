"""gunicorn settings of the register's web servers: `gunicorn -c python:lvv.conf.gunicorn lvv.wsgi`.

The benchmark (`python -m bench --only web`) starts gunicorn with this same file, so what
docs/deployment.md recommends is what is measured. Every value can be overridden from the
environment or on the command line (command-line options win over this file).

- Worker processes: one per core plus one (`GUNICORN_WORKERS`). Rendering a page is CPU work in
  Python, which one process does on one core at a time (the GIL); more processes than that only
  queue for the same cores and cost memory (about 120 MB each).
- Threads per worker (`GUNICORN_THREADS`, gthread): a request waiting for PostgreSQL or the access
  log's commit leaves the core to another request of the same process. Each thread keeps its own
  database connection (`DB_CONN_MAX_AGE`), so servers x workers x threads x 2 (register and access
  log) connections: size PgBouncer / `max_connections` for that.
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
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
