"""Does a certificate only use fields its service's form has? (cheap enough for start-up)."""
from __future__ import annotations
import datetime as dt


#: A valid resident ID number for sample data (the standard's own example).
SAMPLE_ID_NUMBER = "11010519491231002X"


class _RecordingData(dict):
    """Form data that remembers the keys a renderer reads (``hard`` for ``data["x"]``).

    A key in ``fill`` that the data lacks reads as that value; any other missing key reads
    as ``""`` (``data["x"]``) or the default (``data.get("x")``).
    """

    def __init__(self, data: dict, fill: dict | None = None):
        super().__init__(data)
        self.fill = fill or {}
        self.used: set[str] = set()
        self.hard: set[str] = set()

    def __getitem__(self, key):
        self.used.add(key)
        if not super().__contains__(key):
            self.hard.add(key)
            return self.fill.get(key, "")
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.used.add(key)
        if not super().__contains__(key):
            return self.fill.get(key, default)
        return super().get(key, default)

    def __contains__(self, key):
        self.used.add(key)
        return super().__contains__(key)


class _Supplied(str):
    """A value some other source (``ctx.extra``, filled by ``certificate_data``) supplies.

    Truthy, and itself a mapping of supplied values, so ``extra.get("x") or form.get("x")``
    and ``(extra.get("business") or {}).get("name")`` never fall back to the form: a
    certificate that prefers another source for a value does not need the form to have it.
    """

    def __new__(cls):
        return super().__new__(cls, "〔由其他来源提供〕")

    def get(self, key, default=None):
        return _Supplied()

    def __getitem__(self, key):
        return _Supplied() if isinstance(key, str) else str.__getitem__(self, key)

    def __contains__(self, key):
        return True


class _SuppliedExtra(dict):
    def get(self, key, default=None):
        return _Supplied()

    def __getitem__(self, key):
        return _Supplied()

    def __contains__(self, key):
        return True


def form_fields(form_class) -> set[str]:
    """Names of the fields of a WTForms form class."""
    try:
        return {name for name, _ in form_class()._fields.items()}
    except Exception:  # noqa: BLE001 - an unusable form is reported by validate_service
        return set()


def _context(service, data: dict, extra: dict | None = None):
    from core.contract.services import CertificateContext
    return CertificateContext(
        application_no="QK20261123HEALTH", service_code=service.code, service_name=service.name,
        applicant_name="张三", applicant_id_masked="1101**********002X", form_data=data,
        department_code=service.department, department_name="测试部门", centre_name="测试中心",
        decided_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc),
        verification_code="HEALTH", verification_url="http://127.0.0.1/verify/HEALTH",
        extra={} if extra is None else extra)


def _rows(render, service, data: dict, extra: dict):
    try:
        return repr(render(_context(service, data, extra)))
    except Exception as exc:  # noqa: BLE001 - supplied values are fake; compare outcomes only
        return f"failed: {exc.__class__.__name__}"


def certificate_field_problems(service, *, render: bool = True) -> list[str]:
    """Form fields the certificate uses that the service's form does not have.

    The certificate's rows are computed from the service's ``example`` with every
    ``ctx.extra`` value present (as ``certificate_data`` would supply them). A form key the
    form has no field for is a problem when the certificate reads it with ``data["x"]`` (a
    crash at issuance) or when its value changes what the certificate shows (a blank line);
    a key read only as a fallback for a value found elsewhere is fine. A
    :class:`core.papers.documents.CertificateTemplate` is asked for its rows only, fast enough for
    start-up; another renderer is run in full (and any read counts) only when ``render`` is
    true. With ``render`` true the certificate is also rendered as issued with no extra
    values, and a failure is reported.
    """
    certificate = getattr(service, "certificate", None)
    if certificate is None or not callable(certificate):
        return []
    fields = form_fields(service.form)
    if not fields:
        return []
    example = service.example_for("张三", SAMPLE_ID_NUMBER) if service.example else {}
    rows = getattr(certificate, "fields", None)
    if not callable(rows) and not render:
        return []
    probe = _RecordingData(example)
    baseline = _rows(rows if callable(rows) else certificate, service, probe, _SuppliedExtra())
    missing = sorted(str(k) for k in probe.used - fields)
    used = []
    for key in missing:
        if key in probe.hard or not callable(rows):
            used.append(key)
            continue
        marked = _RecordingData(example, {key: f"⟦{key}⟧"})
        if _rows(rows, service, marked, _SuppliedExtra()) != baseline:
            used.append(key)
    if used:
        return [f"事项 {service.code} 的证照使用了表单中没有的字段：{'、'.join(used)}"]
    if render:
        try:
            (rows if callable(rows) else certificate)(_context(service, dict(example)))
        except Exception as exc:  # noqa: BLE001
            return [f"事项 {service.code} 的证照无法生成：{exc!r}"]
    return []
