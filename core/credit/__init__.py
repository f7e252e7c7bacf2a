"""Credit (信用): dishonesty records, commitments (告知承诺) and the ready-made check.

Records come from the departments that feed the credit platform, imported from CSV
(``quanke credit import``). Columns, with a header row::

    ref,subject_kind,subject_id,name,level,reason,source_department,valid_from,valid_until

``ref`` is the source system's record id (re-importing the same ``ref`` updates, never
duplicates); ``subject_kind`` is ``person`` (resident ID) or ``enterprise`` (credit code);
``level`` is ``serious`` (严重失信, blocks) or ``general`` (一般失信, warns); dates are ISO,
``valid_until`` may be empty (no expiry).
"""
from core.credit.commitments import broken_commitments_since, sign_commitment, verify_commitment
from core.credit.importer import CSV_COLUMNS, ImportReport, import_csv, parse_row
from core.credit.lists import DISHONEST_APPLICANT, active_records, list_version, version_and_active_records
from core.credit.models import LEVELS, Commitment, CreditImport, CreditRecord

__all__ = ["CSV_COLUMNS", "Commitment", "CreditImport", "CreditRecord", "DISHONEST_APPLICANT",
           "ImportReport", "LEVELS", "active_records", "broken_commitments_since", "import_csv",
           "list_version", "parse_row", "sign_commitment", "verify_commitment",
           "version_and_active_records"]
