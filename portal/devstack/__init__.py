"""Embedded PostgreSQL, Redis and S3 for development and tests, kept under `var/`.

`python -m portal.devstack up|down|status`, or from Python::

    from portal.devstack import up, down, status, load_service_env

Services whose URL is already in the environment (`DATABASE_URL`, `REDIS_URL`,
`S3_ENDPOINT_URL`) are left alone. Importing this package starts nothing.
"""

from .stack import Report, down, load_service_env, status, up
from .state import DevstackError, resolve_var_dir

__all__ = ["DevstackError", "Report", "down", "load_service_env", "resolve_var_dir", "status", "up"]
