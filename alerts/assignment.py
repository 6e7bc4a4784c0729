"""Assigning alerts to people: recorded in each alert's audit trail and the activity log.

An assignment is a *note* on the alert's hash-chained trail (alerts/workflow.py: it
records a fact without changing the status), so who assigned whom, and when, is part of
the evidence; the activity log entry lets the queue filter by assignee.
"""

from __future__ import annotations

import uuid

from alerts import activity
from alerts.workflow import AlertWorkflow
from txmon.errors import WorkflowError
from txmon.store.base import Store


def assign(store: Store, workflow: AlertWorkflow, alert_ids: list[str], assignee: str,
           by: str) -> int:
    """Assign each alert to ``assignee`` ("" unassigns); returns how many were assigned."""
    if not alert_ids:
        raise WorkflowError("no alert chosen to assign")
    done = 0
    for alert_id in alert_ids:
        reason = f"assigned to {assignee}" if assignee else "unassigned"
        workflow.note(alert_id, f"assign:{uuid.uuid4().hex}", by, reason)
        last = workflow.history(alert_id)[-1]
        activity.record(store, alert_id, "assignee", assignee, by, last.at)
        done += 1
    return done
