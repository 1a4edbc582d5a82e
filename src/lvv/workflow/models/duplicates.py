from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DuplicateCandidate(models.Model):
    """A pair of person records that the national duplicate check found alike, with the reasons,
    and the verdict once someone decided. `person_a` is always the one with the smaller id, so a
    pair exists once; a 'different' verdict keeps the pair from being proposed again."""

    class Status(models.TextChoices):
        OPEN = "open", _("Nog te beoordelen")
        SAME = "same", _("Zelfde persoon")
        DIFFERENT = "different", _("Andere persoon")

    person_a = models.ForeignKey(
        "registry.Person", verbose_name=_("persoon A"), on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        "registry.Person", verbose_name=_("persoon B"), on_delete=models.CASCADE, related_name="+"
    )
    reasons = models.JSONField(_("redenen"), default=list)
    score = models.PositiveSmallIntegerField(_("overeenkomst (%)"), default=0)
    status = models.CharField(
        _("beoordeling"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gevonden bij registratie door"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    found_at = models.DateTimeField(_("gevonden op"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beoordeeld door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("beoordeeld op"), null=True, blank=True)
    decision_note = models.TextField(_("toelichting"), blank=True)

    class Meta:
        verbose_name = _("mogelijke dubbele registratie")
        verbose_name_plural = _("mogelijke dubbele registraties")
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "found_at"])]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.status})"


class UndoableLink(models.Model):
    """What a link that can be undone keeps of its undoing: who, when and why (the row stays, for
    the history). Shared by `PersonLink` (ADR 0050) and `StayLink` (ADR 0106)."""

    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ontkoppeld door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("ontkoppeld op"), null=True, blank=True)
    undo_reason = models.TextField(_("reden ontkoppeling"), blank=True)

    class Meta:
        abstract = True


class PersonLink(UndoableLink):
    """A confirmed link: two person records are the same human being. Neither record is changed or
    removed; undoing the link sets `undone_at` (the row stays, for the history)."""

    candidate = models.ForeignKey(
        DuplicateCandidate,
        verbose_name=_("beoordeling"),
        on_delete=models.PROTECT,
        related_name="links",
    )
    person_a = models.ForeignKey(
        "registry.Person", verbose_name=_("persoon A"), on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        "registry.Person", verbose_name=_("persoon B"), on_delete=models.CASCADE, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gekoppeld door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("gekoppeld op"), default=timezone.now)

    class Meta:
        verbose_name = _("koppeling van personen")
        verbose_name_plural = _("koppelingen van personen")
        constraints = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                condition=Q(undone_at__isnull=True),
                name="person_link_active_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} = {self.person_b_id}"

    @property
    def active(self) -> bool:
        return self.undone_at is None


class NameKey(models.Model):
    """Derived blocking keys of the national duplicate check (lvv.workflow.duplicates): one row per
    phonetic key of a name part of a person or of their aliases, with the person's birth year and
    country copied for filtering inside the index. Rebuilt from the person's columns whenever they
    are saved (signals in lvv.workflow.duplicates) and wholesale by `lvv duplicate-keys`; never
    edited by hand. Holds no name, only keys (ADR 0080)."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("persoon"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("sleutel"), max_length=16)
    birth_year = models.PositiveSmallIntegerField(_("geboortejaar"), null=True, blank=True)
    country = models.CharField(_("land van herkomst"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("zoeksleutel dubbelcheck")
        verbose_name_plural = _("zoeksleutels dubbelcheck")
        indexes = [
            models.Index(fields=["code", "country", "birth_year", "person"], name="namekey_block"),
        ]

    def __str__(self) -> str:
        return self.code
