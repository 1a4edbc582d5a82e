from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from lvv.registry.countries import country_choices
from lvv.registry.taxonomy import Gender


class Person(models.Model):
    """One person, once nationally, whatever LVVs they stayed in. The columns are the current state
    as derived from the person's events (kind `person_recorded` / `person_corrected`); the events are
    the truth (see lvv.registry.history)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    v_number = models.CharField(
        _("V-nummer"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=_("Vreemdelingennummer, 10 cijfers; leeg als het (nog) niet bekend is."),
    )
    given_names = models.CharField(_("voornamen"), max_length=200, blank=True)
    family_name = models.CharField(_("achternaam"), max_length=200, blank=True)
    birth_date = models.DateField(_("geboortedatum"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("geboortejaar"),
        null=True,
        blank=True,
        help_text=_("Ook ingevuld als alleen het jaar bekend is."),
    )
    gender = models.CharField(
        _("geslacht"), max_length=16, choices=Gender.choices, default=Gender.UNKNOWN
    )
    country = models.CharField(
        _("land van herkomst"),
        max_length=3,
        choices=country_choices,
        blank=True,
        help_text=_("ISO 3166 alpha-3; XXA voor staatloos; leeg voor onbekend."),
    )
    first_ind_application_date = models.DateField(
        _("datum eerste IND-aanvraag"), null=True, blank=True
    )
    ind_status = models.CharField(_("huidige status IND"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("persoon")
        verbose_name_plural = _("personen")
        ordering = ["family_name", "given_names"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True)
                | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="person_birth_year_plausible",
            ),
        ]
        # Blocking keys of the national duplicate check (lvv.workflow.duplicates): candidates are
        # looked up by birth year + country, or by family name, before any fuzzy scoring.
        indexes = [
            models.Index(fields=["birth_year", "country"], name="person_dup_block"),
            models.Index(Lower("family_name"), name="person_family_lower"),
            # The persons list's order (family name, given names, id): the first page of a list of
            # 100,000 persons reads 50 index entries instead of sorting them all (ADR 0088).
            models.Index(fields=["family_name", "given_names", "id"], name="person_name_order"),
        ]

    def __str__(self) -> str:
        # Never used in logs: the access layer logs ids only.
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(part for part in (self.given_names, self.family_name) if part)
        # str(): __str__ returns this, and must return a str, not a lazy translation.
        return name or str(_("(naam onbekend)"))


class PersonAlias(models.Model):
    """Another name a person is or was known by (used by the national duplicate check)."""

    person = models.ForeignKey(
        Person, verbose_name=_("persoon"), on_delete=models.CASCADE, related_name="aliases"
    )
    given_names = models.CharField(_("voornamen"), max_length=200, blank=True)
    family_name = models.CharField(_("achternaam"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliassen")
        indexes = [models.Index(Lower("family_name"), name="alias_family_lower")]

    def __str__(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_name) if part)
