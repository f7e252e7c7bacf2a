"""Which of a service's declared materials an application has, and which are missing."""
from __future__ import annotations
import logging
from core.platform.models import (Application, MaterialStatus)
from core.contract.services import ServiceDef
log = logging.getLogger(__name__)


def material_statuses(app: Application) -> dict[str, str]:
    """Latest status per material code (a later row for the same code wins)."""
    out: dict[str, str] = {}
    for material in app.materials:
        out[material.code] = material.status
    return out


def missing_materials(service: ServiceDef, statuses: dict[str, str]) -> list[str]:
    """Required materials not received (an alternative material counts for its partner)."""
    present = {code for code, status in statuses.items()
               if status in (MaterialStatus.PAPER.value, MaterialStatus.SCAN.value)}
    for spec in service.materials:
        if spec.alternative_to and spec.code in present:
            present.add(spec.alternative_to)
        if spec.alternative_to and spec.alternative_to in present:
            present.add(spec.code)
    return [spec.code for spec in service.materials if spec.required and spec.code not in present]
