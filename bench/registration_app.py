"""WSGI app for bench/registration.py: the production config, minus what a benchmark can't use.

Settings come from the environment exactly as in production (``SECRET_KEY``,
``DATABASE_URL``, ``TRUSTED_HOSTS`` or ``SERVER_NAME``); on top of that this
module turns off the per-IP rate limit (every simulated visitor shares
127.0.0.1), keeps mail in the outbox (the console backend; nothing is sent
during requests anyway) and lets the session cookie travel over plain HTTP.

    SECRET_KEY=x DATABASE_URL=postgresql://postgres@127.0.0.1/summit_bench_registration \\
    TRUSTED_HOSTS=127.0.0.1 .venv/bin/gunicorn -w 4 bench.registration_app:app
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summit import create_app

OVERRIDES = {
    "RATELIMIT_ENABLED": False,
    "MAIL_BACKEND": "console",
    "MAIL_SEND_AFTER_REQUEST": False,
    "SESSION_COOKIE_SECURE": False,  # the benchmark speaks HTTP, not HTTPS
    "REMEMBER_COOKIE_SECURE": False,
    "PREFERRED_URL_SCHEME": "http",
}


def make_app():
    return create_app("production", **OVERRIDES)


app = make_app()
