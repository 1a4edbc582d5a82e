from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvv.workflow.models.duplicates import UndoableLink


class StayLink(UndoableLink):
    """One link the receiving LVV made on the case page from a new stay to the person's earlier
    stay in another LVV (ADR 0055), and, once undone, who undid it, when and why (ADR 0106).

    `Stay.previous_stay` is the current link that every consumer follows; this row is its
    history. Undoing sets `undone_at` and clears `Stay.previous_stay`; the row stays, and the stay
    can be linked again (a new row). A link made at registration by the sending LVV
    (`stay_transfer`, recorded in the `stay_registered` event) has no row here and is not undone
    this way. `linked_by`/`linked_at` are empty only for links made before this history existed."""

    stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("verblijf"),
        on_delete=models.PROTECT,
        related_name="previous_stay_links",
    )
    previous_stay = models.ForeignKey(
        "registry.Stay",
        verbose_name=_("vorig verblijf"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gekoppeld door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_at = models.DateTimeField(_("gekoppeld op"), null=True, blank=True, default=timezone.now)

    class Meta:
        verbose_name = _("koppeling aan een vorig verblijf")
        verbose_name_plural = _("koppelingen aan een vorig verblijf")
        constraints = [
            models.UniqueConstraint(
                fields=["stay"],
                condition=Q(undone_at__isnull=True),
                name="stay_link_active_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stay_id} -> {self.previous_stay_id}"

    @property
    def active(self) -> bool:
        return self.undone_at is None
