from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    # Person (stay is empty): the person's own attributes.
    PERSON_RECORDED = "person_recorded", _("Persoon geregistreerd")
    PERSON_CORRECTED = "person_corrected", _("Persoonsgegevens gewijzigd")
    # Stay.
    STAY_REGISTERED = "stay_registered", _("Aangemeld")
    STAY_WAITLISTED = "stay_waitlisted", _("Op de wachtlijst geplaatst")
    STAY_REFUSED = "stay_refused", _("Niet toegelaten")
    STAY_ADMITTED = "stay_admitted", _("Toegelaten")
    STAY_DETAILS_CORRECTED = "stay_details_corrected", _("Verblijfsgegevens gewijzigd")
    SCENARIO_SET = "scenario_set", _("Begeleidingsscenario vastgesteld")
    ORGANISATION_SET = "organisation_set", _("Begeleidende organisatie gewijzigd")
    LOCATION_SET = "location_set", _("Verhuisd naar locatie")
    STAY_EXTENDED = "stay_extended", _("Verblijf verlengd")
    OUTFLOW_REGISTERED = "outflow_registered", _("Uitstroom geregistreerd")
    FOLLOW_UP_REGISTERED = "follow_up_registered", _("Vervolg na uitstroom geregistreerd")
    # Any: withdraws an earlier event that was recorded in error (`supersedes` names it).
    EVENT_VOIDED = "event_voided", _("Eerdere registratie ingetrokken")


class Event(models.Model):
    """One fact about a person or one of their stays, as it was recorded: append-only.

    `valid_on` is when it happened (valid time, may be empty for a follow-up of unknown date);
    `recorded_at` is when the register learned it (record time). The current state of a person or
    stay is derived from its events (lvv.registry.history); a correction is a new event."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("persoon"),
        on_delete=models.PROTECT,
        related_name="events",
        # Covered by the (person, recorded_at) index below: a second index only slows every insert.
        db_index=False,
    )
    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        db_index=False,  # covered by the (stay, recorded_at) index
    )
    kind = models.CharField(_("soort"), max_length=40, choices=EventKind.choices)
    valid_on = models.DateField(_("datum (geldig op)"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("geregistreerd op"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geregistreerd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below: most events (imports, demo) have none
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("namens organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # a partial index below
    )
    source = models.CharField(
        _("bron"),
        max_length=32,
        default="web",
        help_text=_("web, api, import, ind, demo of system"),
    )
    source_ref = models.CharField(
        _("bronverwijzing"),
        max_length=100,
        blank=True,
        help_text=_("Bijvoorbeeld het importbestand."),
    )
    data = models.JSONField(_("gegevens"), default=dict, blank=True)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("trekt in"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        db_index=False,  # a partial index below: voids are rare
    )

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["stay", "recorded_at"]),
            models.Index(fields=["person", "recorded_at"]),
            # No index on (kind, valid_on): since the monitor counts from the stay projection
            # (ADRs 0076, 0090) no query's plan used it, and keeping it up cost every event
            # written, a quarter of the database's work in an import (ADR 0109).
            models.Index(fields=["recorded_at"]),
            # The three optional references are empty on nearly every event (an import writes
            # none): partial indexes hold only the rows that have one, which is all a lookup by
            # them (or a PROTECT check) needs, and cost nothing on the events without (ADR 0084).
            models.Index(
                fields=["recorded_by"],
                name="event_recorded_by",
                condition=models.Q(recorded_by__isnull=False),
            ),
            models.Index(
                fields=["organisation"],
                name="event_organisation",
                condition=models.Q(organisation__isnull=False),
            ),
            models.Index(
                fields=["supersedes"],
                name="event_supersedes",
                condition=models.Q(supersedes__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_on or '-'})"
