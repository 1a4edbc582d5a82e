from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lvv.registry.taxonomy import FollowUp, OutflowType, Scenario, TargetGroup

if TYPE_CHECKING:
    from lvv.registry.models.event import Event


class StayStatus(models.TextChoices):
    REGISTERED = "registered", _("Aangemeld")
    WAITING = "waiting", _("Op de wachtlijst")
    ADMITTED = "admitted", _("Toegelaten")
    REFUSED = "refused", _("Niet toegelaten")
    LEFT = "left", _("Uitgestroomd")


OPEN_STATUSES = (StayStatus.REGISTERED, StayStatus.WAITING, StayStatus.ADMITTED)


class Stay(models.Model):
    """One stay of a person in one LVV, from registration to outflow.

    Every column below `correspondence_number` is a projection of the stay's events, rebuilt by
    `lvv.registry.services.stay_rebuild`; never write them directly. `version` increases with every
    event so that two people editing one case at once get a conflict instead of a lost update."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("persoon"), on_delete=models.PROTECT, related_name="stays"
    )
    lvv = models.ForeignKey(
        "registry.LVV", verbose_name=_("LVV"), on_delete=models.PROTECT, related_name="stays"
    )
    correspondence_number = models.CharField(
        _("correspondentienummer"),
        max_length=64,
        blank=True,
        help_text=_("Sleutel van deze persoon in de bestanden van de LVV; uniek binnen de LVV."),
    )
    previous_stay = models.ForeignKey(
        "self",
        verbose_name=_("vorig verblijf"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_stays",
        help_text=_(
            "Bij overplaatsing naar een andere LVV: het verblijf waar deze persoon vandaan kwam."
        ),
    )

    # Projection of the events.
    status = models.CharField(
        _("status"), max_length=16, choices=StayStatus.choices, default=StayStatus.REGISTERED
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("begeleidende organisatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guided_stays",
    )
    location = models.ForeignKey(
        "registry.Location",
        verbose_name=_("locatie"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stays",
    )
    target_group = models.CharField(
        _("doelgroep"), max_length=16, choices=TargetGroup.choices, default=TargetGroup.CONVENANT
    )
    reported_municipality = models.CharField(
        _("gemeente van aanmelding"), max_length=100, blank=True
    )
    registration_date = models.DateField(_("datum aanmelding"), null=True, blank=True)
    admission_date = models.DateField(_("datum toelating"), null=True, blank=True)
    scenario = models.CharField(
        _("begeleidingsscenario"),
        max_length=32,
        choices=Scenario.choices,
        default=Scenario.NOT_YET_DETERMINED,
    )
    scenario_date = models.DateField(_("scenario sinds"), null=True, blank=True)
    scenario_discussed_in_lso = models.BooleanField(_("besproken in het LSO"), default=True)
    outflow_date = models.DateField(_("datum uitstroom"), null=True, blank=True)
    outflow_type = models.CharField(
        _("wijze van uitstroom"), max_length=32, choices=OutflowType.choices, blank=True
    )
    follow_up = models.CharField(_("vervolg"), max_length=32, choices=FollowUp.choices, blank=True)
    follow_up_date = models.DateField(_("datum vervolg"), null=True, blank=True)
    # The latest `valid_on` among the stay's events: on any date on or after it, the state of the
    # stay equals the columns above, so the monitor reads them instead of folding (ADR 0076).
    last_valid_on = models.DateField(
        _("laatste geldigheidsdatum"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("De laatste datum waarop een gebeurtenis van dit verblijf geldt (afgeleid)."),
    )
    version = models.PositiveIntegerField(_("versie"), default=0)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    # Not stored: set on the instances a page shows (lvv.registry.views) for its templates and
    # panels. The data categories of the person list's row; whether the user may change the stay;
    # the stay's own events, read once for the person page.
    shown: set[str]
    can_change: bool
    page_events: list[Event]

    class Meta:
        verbose_name = _("verblijf")
        verbose_name_plural = _("verblijven")
        ordering = ["-admission_date", "-registration_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outflow_date__isnull=True)
                | Q(admission_date__isnull=True)
                | Q(outflow_date__gte=F("admission_date")),
                name="stay_outflow_not_before_admission",
            ),
            models.CheckConstraint(
                condition=Q(outflow_date__isnull=True, outflow_type="")
                | Q(outflow_date__isnull=False) & ~Q(outflow_type=""),
                name="stay_outflow_date_and_type_together",
            ),
            models.UniqueConstraint(
                fields=["person", "lvv"],
                condition=Q(status__in=["registered", "waiting", "admitted"]),
                name="stay_one_open_stay_per_person_per_lvv",
                violation_error_message=_("Deze persoon heeft al een lopend verblijf in deze LVV."),
            ),
            models.UniqueConstraint(
                fields=["lvv", "correspondence_number"],
                condition=~Q(correspondence_number=""),
                name="stay_correspondence_number_unique_in_lvv",
                violation_error_message=_(
                    "Dit correspondentienummer is in deze LVV al in gebruik."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["lvv", "status"]),
            models.Index(fields=["lvv", "organisation", "status"]),
            models.Index(fields=["lvv", "admission_date"]),
        ]

    def __str__(self) -> str:
        return f"Verblijf {self.id} in {self.lvv_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
