"""legal clock: this plugin's running applications get their service's clock rule

Revision ID: business_license_0003
Revises: business_license_0002
Create Date: 2026-12-03 13:40:00

Applications filed before 0.2 have no clock snapshot (``applications.clock_rule`` NULL, added by
core_0007). They get the rule their service declares now — the statute they were filed under,
cited — so their pages, extensions and deemed outcomes follow it. Rows that have one keep it.
"""
import sqlalchemy as sa
from alembic import op

from plugins.business_license import services as declared

CLOCKS = {s.code: s.legal_clock for s in (declared.REGISTRATION_SERVICE, declared.CHANGE_SERVICE,
                                        declared.DEREGISTRATION_SERVICE, declared.FOOD_PERMIT_SERVICE)}

revision = 'business_license_0003'
down_revision = 'business_license_0002'
branch_labels = None
depends_on = 'core_0007'

applications = sa.table("applications", sa.column("service_code", sa.String),
                        sa.column("clock_rule", sa.JSON))


def upgrade() -> None:
    for code, clock in CLOCKS.items():
        op.execute(applications.update()
                   .where(applications.c.service_code == code, applications.c.clock_rule.is_(None))
                   .values(clock_rule=clock.to_record()))


def downgrade() -> None:
    pass  # the snapshot is data; the column goes with core_0007's downgrade
