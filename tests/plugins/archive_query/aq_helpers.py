"""Helpers the archive query tests share: filing at the counter, reading results and PDFs."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import select

from core import acceptance
from core.papers import issuance
from core.platform.models import Application, Document
from plugins.archive_query.domain import settings
from plugins.archive_query.models import QueryResult

SERVICE = "archive_query.query"


def switch(quanke, world, on: bool):
    settings.set_auto_approve(quanke, world.lead, enabled=on, note="测试：调整自动审批")


def form(person, category="marriage", basis="self", purpose="办理房产过户手续", **extra):
    return {"category": category, "subject_name": person.name, "subject_id_number": person.id_number,
            "basis": basis, "purpose": purpose, **extra}


def at_counter(world, applicant_id, data, paper=("applicant_id",), by="counter"):
    return acceptance.file_application(world.quanke, world.users[by], service_code=SERVICE,
                                       applicant_id=applicant_id, form_data=data, paper=list(paper),
                                       consent=True, consent_text="申请人当面同意")


def state(quanke, app_id):
    with quanke.db.session() as session:
        return session.get(Application, app_id).state


def result(quanke, app_id):
    with quanke.db.session() as session:
        return session.scalar(select(QueryResult).where(QueryResult.application_id == app_id))


def flat(text: str) -> str:
    """PDF text without the line breaks and spaces the layout puts into long lines."""
    return "".join(text.split())


def certificate(quanke, app_id) -> Document:
    with quanke.db.session() as session:
        return session.scalar(select(Document).where(Document.application_id == app_id,
                                                     Document.kind == "certificate"))


def issued_pdf(quanke, app_id) -> bytes:
    """The certificate the core issued for the application, as stored (sealed)."""
    return issuance.pdf_bytes(quanke, certificate(quanke, app_id).id)


def pdf_text(pdf: bytes) -> str:
    return flat("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))
