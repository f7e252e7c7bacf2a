"""English for every error code the core and the plugins raise (the core speaks Chinese).

``ERROR_NAMES[code]`` is a translatable text; in English :func:`web.helpers.error_text` shows
its translation instead of the (Chinese, more specific) message of the error. The Chinese
here is a generic wording used as the translation key. ``tests/web/test_english.py``
collects every ``code="…"`` raised under core/, plugins/ and web/ and fails when a code is
missing here or its text has no English in web/translations/en.

The table is kept by who raises the codes: :mod:`.general` (the platform, operations, the
web, codes raised everywhere), :mod:`.workflow` (acceptance, approval, documents),
:mod:`.identity`, :mod:`.people`, and one module per plugin (:mod:`.timebank`,
:mod:`.legal_aid`, :mod:`.archive_query`, :mod:`.business_license`). A new code goes into the
module of its owner.
"""
from __future__ import annotations

from . import archive_query, business_license, general, identity, legal_aid, people, timebank, workflow

ERROR_NAMES = {**general.NAMES, **workflow.NAMES, **identity.NAMES, **people.NAMES, **timebank.NAMES,
               **legal_aid.NAMES, **archive_query.NAMES, **business_license.NAMES}
