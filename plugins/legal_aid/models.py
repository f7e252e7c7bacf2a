"""Legal aid's own tables: the local economic-hardship standard (Art. 34) per area and date."""
import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class HardshipStandard(Base):
    """经济困难标准: monthly income per head, effective from a date, per area."""

    __tablename__ = "la_hardship_standards"
    id: Mapped[int] = mapped_column(primary_key=True)
    area_code: Mapped[str] = mapped_column(String(12), index=True)
    effective_from: Mapped[dt.date] = mapped_column(Date)
    monthly_per_head: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200), default="")
