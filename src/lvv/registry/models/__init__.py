from lvv.registry.models.event import Event, EventKind
from lvv.registry.models.lvv import LVV, CapacityRecord, Location, Policy, RegionMunicipality
from lvv.registry.models.person import Person, PersonAlias
from lvv.registry.models.stay import Stay, StayStatus

__all__ = [
    "LVV",
    "CapacityRecord",
    "Event",
    "EventKind",
    "Location",
    "Person",
    "PersonAlias",
    "Policy",
    "RegionMunicipality",
    "Stay",
    "StayStatus",
]
