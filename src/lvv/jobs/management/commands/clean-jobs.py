"""`lvv clean-jobs`: remove export files past LVV_JOB_FILE_RETENTION_HOURS, import uploads that were
never confirmed, and mark jobs stuck longer than LVV_JOB_STUCK_HOURS (their process died) as
failed. Run it hourly from cron or a scheduler; it is also run after every job."""

from django.conf import settings
from django.core.management.base import BaseCommand

from lvv.jobs.services import job_cleanup


class Command(BaseCommand):
    help = "Remove expired background-job files and fail interrupted jobs."
    requires_system_checks = []

    def handle(self, *args, **options):
        done = job_cleanup()
        self.stdout.write(
            f"{done['files']} export file(s) older than {settings.LVV_JOB_FILE_RETENTION_HOURS} h "
            f"removed, {done['uploads']} unconfirmed upload(s) removed, "
            f"{done['interrupted']} interrupted job(s) marked failed."
        )
