"""Time bank tables: certified volunteers (the ledger arrives with the time-bank issue)."""
import datetime as dt

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class Volunteer(Base):
    __tablename__ = "tb_volunteers"
    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(unique=True)
    community: Mapped[str] = mapped_column(String(16), index=True)
    categories: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[str] = mapped_column(String(500))
    certified_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")
