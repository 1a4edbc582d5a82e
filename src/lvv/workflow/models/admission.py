from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.registry.taxonomy import Scenario

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Criterion(models.TextChoices):
    """The national target-group criteria (DOMAIN.md section 3). The first must hold; the four
    exclusions must not."""

    NO_RIGHT_OF_RESIDENCE = "no_right_of_residence", _("Geen recht op verblijf of rijksopvang")
    ENTRY_BAN = "entry_ban", _("Zwaar inreisverbod (10 jaar of langer)")
    UNDESIRABLE = "undesirable", _("Ongewenstverklaard")
    EU_CITIZEN = "eu_citizen", _("EU-burger")
    DUBLIN = "dublin", _("Dublinclaimant")


# The value a criterion must have for the person to belong to the target group.
CRITERION_REQUIRED: dict[str, bool] = {
    Criterion.NO_RIGHT_OF_RESIDENCE: True,
    Criterion.ENTRY_BAN: False,
    Criterion.UNDESIRABLE: False,
    Criterion.EU_CITIZEN: False,
    Criterion.DUBLIN: False,
}

# Labels for the local extra conditions named in Policy.admission_conditions. An unknown code is
# shown as it is, so a new condition configured by the administrator still appears.
CONDITION_LABELS: dict[str, StrPromise] = {
    "real_wish_to_leave_or_legalisation_chance": _(
        "Reële vertrekwens of reële kans op legalisering"
    ),
    "voluntary_participation": _(
        "Deelname is vrijwillig en de deelnemer tekent het intakeformulier"
    ),
}


def condition_label(code: str) -> str:
    return str(CONDITION_LABELS.get(code, code.replace("_", " ")))


class AdmissionCheck(models.Model):
    """The check of one registration against the target-group criteria and the LVV's own
    conditions, as recorded at the desk: how the person came in, each criterion with its source,
    and an exception (with reason and decider) when the person does not meet them."""

    class Channel(models.TextChoices):
        DESK = "desk", _("Meldde zich aan de balie")
        REFERRAL = "referral", _("Verwezen door een LSO-partij")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Nog niet besloten")
        ADMITTED = "admitted", _("Toegelaten")
        WAITLISTED = "waitlisted", _("Op de wachtlijst")
        REFUSED = "refused", _("Niet toegelaten")

    stay = models.OneToOneField(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="admission_check",
    )
    channel = models.CharField(_("binnengekomen via"), max_length=16, choices=Channel.choices)
    referred_by = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("verwezen door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    criteria = models.JSONField(
        _("criteria"),
        default=dict,
        help_text=_("Per criterium: {'value': ja/nee, 'source': waar het op gebaseerd is}."),
    )
    conditions = models.JSONField(
        _("lokale voorwaarden"),
        default=dict,
        blank=True,
        help_text=_("Per voorwaarde uit het beleid van de LVV: {'met': ja/nee, 'note': ...}."),
    )
    meets_criteria = models.BooleanField(_("voldoet aan de criteria"), default=False)
    exception_reason = models.TextField(_("reden uitzondering"), blank=True)
    exception_decider = models.CharField(_("uitzondering besloten door"), max_length=16, blank=True)
    exception_decided_by = models.CharField(
        _("naam of gremium van de beslisser"), max_length=200, blank=True
    )
    forced_scenario = models.CharField(
        _("verplicht scenario"), max_length=32, choices=Scenario.choices, blank=True
    )
    outcome = models.CharField(
        _("uitkomst"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_reason = models.TextField(_("toelichting uitkomst"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)
    # Where the LVV's policy makes the signed intake form the formal moment of admission
    # (`Policy.admission_by_signed_intake_form`, Eindhoven): when it was signed (the admission
    # date), the form itself (a document of the case; erasure deletes it, the date stays) and who
    # registered it.
    intake_form_signed_on = models.DateField(
        _("intakeformulier ondertekend op"), null=True, blank=True
    )
    intake_form = models.ForeignKey(
        "workflow.Document",
        verbose_name=_("ondertekend intakeformulier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    intake_form_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intakeformulier geregistreerd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    intake_form_recorded_at = models.DateTimeField(
        _("intakeformulier geregistreerd op"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("toelatingscheck")
        verbose_name_plural = _("toelatingschecks")

    def __str__(self) -> str:
        return f"Toelatingscheck {self.stay_id}"

    @property
    def is_exception(self) -> bool:
        return bool(self.exception_reason)


class AdmissionVerdict(models.Model):
    """One party's verdict on admitting a registered person, where the LVV's policy
    (`Policy.admission_parties`) requires every listed party to check and agree (Eindhoven).
    A party may change its verdict until the admission is decided; the last one counts."""

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="admission_verdicts",
    )
    party = models.CharField(_("partij"), max_length=32)
    agrees = models.BooleanField(_("akkoord"))
    note = models.TextField(_("toelichting"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)

    class Meta:
        verbose_name = _("akkoord op toelating")
        verbose_name_plural = _("akkoorden op toelating")
        constraints = [
            models.UniqueConstraint(fields=["stay", "party"], name="workflow_verdict_one_per_party")
        ]

    def __str__(self) -> str:
        return f"Akkoord {self.party} {self.stay_id}"
