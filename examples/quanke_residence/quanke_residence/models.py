"""居住证明开具登记簿（台账）：社区居委会开具的每一份居住证明。"""
import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from core.api import Base


class ResidenceRecord(Base):
    """一份已开具的居住证明；由定时任务 ``jobs.record_issued`` 从已出证的申请登记。"""

    __tablename__ = "residence_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_no: Mapped[str] = mapped_column(String(32), unique=True)
    applicant_id: Mapped[int] = mapped_column(index=True)
    community: Mapped[str] = mapped_column(String(16), index=True)
    purpose: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[dt.date] = mapped_column(Date)
