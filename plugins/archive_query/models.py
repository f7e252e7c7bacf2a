"""The archive store (档案库): one row per archived record about a person."""
import datetime as dt

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class ArchiveRecord(Base):
    __tablename__ = "aq_archive_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(24), index=True)
    person_id_number: Mapped[str] = mapped_column(String(18), index=True)
    person_name: Mapped[str] = mapped_column(String(30))
    reference: Mapped[str] = mapped_column(String(48), unique=True)  # 全宗号/案卷号
    record_date: Mapped[dt.date] = mapped_column(Date)
    issuing_body: Mapped[str] = mapped_column(String(100))
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
