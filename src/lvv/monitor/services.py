"""Writes of the monitor app: publishing a monitor."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone

from lvv.accounts.models import User
from lvv.monitor import figures, replica
from lvv.monitor.models import PublishedMonitor
from lvv.monitor.suppression import suppress_document


def monitor_document(
    *,
    peildatum: dt.date,
    scheme: str,
    known_at: dt.datetime | None,
    suppress_small_cells: int | None = None,
    lvv_names=None,
) -> dict:
    """The contract document, suppressed when a threshold is given."""
    document = figures.monitor_compute(
        peildatum=peildatum, scheme=scheme, known_at=known_at, lvv_names=lvv_names
    )
    if suppress_small_cells:
        document = suppress_document(document, threshold=suppress_small_cells)
    return document


@transaction.atomic
def monitor_publish(
    *,
    peildatum: dt.date,
    scheme: str,
    by: User | None,
    known_at: dt.datetime | None = None,
    suppress_small_cells: int | None = None,
) -> PublishedMonitor:
    """Compute the monitor as the register stands now (or at `known_at`) and store it with its
    content hash and cut-off, so `lvv monitor --as-registered-on <cut-off>` reproduces it. On a
    read replica, waits until it holds everything committed by the cut-off (`ReplicaBehind` when
    it does not in time): the stored figures must be the register's at that moment."""
    cutoff = known_at or timezone.now()
    replica.wait_for_replica()
    text = figures.to_json(
        monitor_document(
            peildatum=peildatum,
            scheme=scheme,
            known_at=cutoff,
            suppress_small_cells=suppress_small_cells,
        )
    )
    return PublishedMonitor.objects.create(
        peildatum=peildatum,
        scheme=scheme,
        known_at=cutoff,
        suppress_small_cells=suppress_small_cells or None,
        document=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        published_by=by if by is not None and by.pk else None,
    )
