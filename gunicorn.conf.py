"""Gunicorn settings read from this folder (`gunicorn wsgi:app`); everything else comes
from the command line or the environment (see the README's Production section)."""

import gc


def post_worker_init(worker):
    """Each worker compiles templates and runs the public pages once before it serves,
    then takes what it holds for life (modules, templates, mappers, translations) out of
    the garbage collector's sight: otherwise every full collection walks all of it, about
    100 ms in the middle of whichever request set it off."""
    from summit.core.warmup import warm_up

    warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()
