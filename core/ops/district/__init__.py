"""District-scale demonstration data (``quanke demo-data --scale district``, 区级规模演示数据).

A whole district as the load test and the capacity planning need it: 137 centres (the
district centre, 13 street centres, 123 community stations), a counter worker per centre,
250,000 applicants (20,000 of them with a portal account) and 1,000,000 applications over the
last three years across every service and state. Plugins add their own rows (75,000
businesses, archives, volunteers) through the ``demo_data`` hook with ``scale="district"``.

Speed and memory: rows are generated lazily and written in batches — ``COPY`` on
PostgreSQL, ``executemany`` on SQLite — so memory stays flat whatever the size. These are
historical records imported in bulk, not live work: each batch is one audit event
(``district_demo_loaded``) rather than one per state change, as a real migration of a legacy
system's records would be. Re-running continues where a previous run stopped.

The modules: ``bulk`` (sizes, batch writing, statistics), ``centres`` (centres and counter
staff), ``residents`` (applicants, portal accounts), ``applications`` and ``load``
(:func:`load_district`).
"""
from __future__ import annotations

from core.ops.district.applications import ACCEPTED_OR_LATER, APP_COLUMNS, DECIDED, STATE_MIX
from core.ops.district.bulk import BATCH, SIZES, Size, refresh_statistics
from core.ops.district.centres import COMMUNITY_WORDS, STREETS
from core.ops.district.load import load_district
from core.ops.district.residents import GIVEN, REGIONS, SURNAMES

__all__ = ["ACCEPTED_OR_LATER", "APP_COLUMNS", "BATCH", "COMMUNITY_WORDS", "DECIDED", "GIVEN",
           "REGIONS", "SIZES", "STATE_MIX", "STREETS", "SURNAMES", "Size", "load_district",
           "refresh_statistics"]
