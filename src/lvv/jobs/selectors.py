from __future__ import annotations

from django.db.models import QuerySet

from lvv.accounts.models import User
from lvv.jobs.models import Job


def jobs_of(user: User) -> QuerySet[Job]:
    """The jobs a user may follow: the ones they started."""
    if not (user and user.is_authenticated):
        return Job.objects.none()
    return Job.objects.filter(created_by=user)
