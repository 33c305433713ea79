"""Running the solver outside the request: a thread per run, progress in the database.

A run only reads the draft and writes its own row, so the page that started it
returns at once and any worker can show its progress. In tests (or with
``SCHEDULING_SOLVE_INLINE``) the run finishes before the request returns.
"""

from __future__ import annotations

import threading
import time

from flask import current_app
from sqlalchemy import update

from summit.extensions import db
from summit.scheduling import services
from summit.scheduling.enums import RunState
from summit.scheduling.models import SolveRun


def _progress_writer(run_id: int):
    last = [0.0]

    def write(fraction: float) -> None:
        moment = time.monotonic()
        if moment - last[0] < 0.5 and fraction < 1.0:
            return
        last[0] = moment
        # Its own short transaction, so the page polling the run sees it at once.
        with db.engine.begin() as connection:
            connection.execute(
                update(SolveRun)
                .where(SolveRun.id == run_id)
                .values(progress=round(min(0.99, fraction), 3))
            )

    return write


def run_now(run_id: int) -> None:
    """Execute a run and commit its result (or its failure)."""
    run = db.session.get(SolveRun, run_id)
    try:
        services.execute_run(run, progress=_progress_writer(run_id), on_ready=db.session.commit)
        db.session.commit()
    except Exception as error:  # the run must end, whatever the solver did
        db.session.rollback()
        current_app.logger.exception("solver run %s failed", run_id)
        run = db.session.get(SolveRun, run_id)
        if run is None:
            raise
        services.change_run_state(run, RunState.FAILED, error=str(error) or type(error).__name__)
        db.session.commit()


def launch(run_id: int) -> None:
    app = current_app._get_current_object()
    if app.config.get("SCHEDULING_SOLVE_INLINE") or app.testing:
        run_now(run_id)
        return

    def work():
        with app.app_context():
            run_now(run_id)

    threading.Thread(target=work, name=f"solve-{run_id}", daemon=True).start()
