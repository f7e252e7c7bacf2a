"""定时任务：把已出证的居住证明登记到开具登记簿（幂等）。"""
from sqlalchemy import select

from core.api import Application, State, local_date, now

from .models import ResidenceRecord

SERVICE_CODE = "residence.certificate"


def record_issued(quanke, **_) -> int:
    """登记尚未进入登记簿的已出证申请；返回新登记的条数。"""
    created = 0
    with quanke.db.session() as session:
        known = set(session.scalars(select(ResidenceRecord.application_no)))
        apps = session.scalars(select(Application).where(
            Application.service_code == SERVICE_CODE,
            Application.state.in_((State.ISSUED.value, State.DELIVERED.value)))).unique()
        for app in apps:
            if app.number in known:
                continue
            data = app.form_data or {}
            session.add(ResidenceRecord(application_no=app.number, applicant_id=app.applicant_id,
                                        community=str(data.get("community", "")),
                                        purpose=str(data.get("purpose", "")),
                                        issued_on=local_date(app.decided_at or now())))
            created += 1
    return created
