"""Gunicorn settings read from this folder (`gunicorn wsgi:app`); everything else comes
from the command line or the environment (see the README's Production section)."""


def post_worker_init(worker):
    """Each worker compiles templates and runs the public pages once before it serves."""
    from summit.core.warmup import warm_up

    warm_up(worker.wsgi)
