"""The district register of individual businesses (个体工商户名录)."""
import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base


class RegisteredBusiness(Base):
    __tablename__ = "bl_registered_businesses"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    operator_id_number: Mapped[str] = mapped_column(String(18), index=True)
    operator_name: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="active")
    registered_on: Mapped[dt.date] = mapped_column(Date)
    application_id: Mapped[int | None] = mapped_column()
