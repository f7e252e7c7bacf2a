"""Adding materials to an application: paper originals seen at the counter and scans."""
from __future__ import annotations
import logging
from typing import Iterable
from sqlalchemy.orm import Session
from core.platform.errors import InvalidInput
from core.acceptance.uploads import CheckedUpload, Upload, check_upload, store
from core.platform.models import (Application, Material, MaterialStatus)
from core.contract.services import ServiceDef
log = logging.getLogger(__name__)


def check_uploads(service: ServiceDef, uploads: Iterable[Upload], *, quanke=None,
                  actor=None) -> list[CheckedUpload]:
    """Check (and re-encode) every upload of one request; with ``quanke`` the request's and
    the actor's image-decoding budgets are enforced first (:mod:`core.acceptance.pixel_budget`)."""
    uploads = list(uploads)
    if quanke is not None and uploads:
        from core.acceptance.pixel_budget import check_budget
        from core.platform.actors import actor_key
        check_budget(quanke, actor_key(actor), [u.data for u in uploads])
    checked = []
    for upload in uploads:
        try:
            spec = service.material(upload.material_code)
        except KeyError:
            raise InvalidInput(f"该事项没有材料“{upload.material_code}”", code="unknown_material",
                               field=upload.material_code) from None
        checked.append(check_upload(spec, upload))
    return checked


def add_materials(quanke, session: Session, app: Application, service: ServiceDef,
                   paper: Iterable[str], checked: list[CheckedUpload]) -> None:
    for code in paper:
        try:
            spec = service.material(code)
        except KeyError:
            raise InvalidInput(f"该事项没有材料“{code}”", code="unknown_material", field=code) from None
        if not spec.paper_ok:
            raise InvalidInput(f"“{spec.name}”须提交电子件", code="scan_required", field=code)
        app.materials.append(Material(code=code, status=MaterialStatus.PAPER.value))
    ring = quanke.keys.ring()
    for item in checked:
        key = store(quanke.config["UPLOAD_DIR"], item, ring)   # encrypted; keyed name
        app.materials.append(Material(code=item.material_code, status=MaterialStatus.SCAN.value,
                                      filename=item.filename, content_type=item.content_type,
                                      size=item.size, sha256=key))
