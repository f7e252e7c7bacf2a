"""What a plugin declares: services (事项), their materials checklist and checks.

These are plain, frozen declarations. Plugins return them from ``register_services``;
the core validates them at start-up (:mod:`core.contract.host`) and never imports a plugin.
"""
from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol

import wtforms

from core.contract.legal_clock import LegalClock, licensing_clock, validate_clock
from core.platform.crypto import sealed
from core.platform.masking import KINDS as SENSITIVE_KINDS

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sqlalchemy.orm import Session

CHANNELS = frozenset({"counter", "remote", "agent"})
IDENTITY_STEPS = frozenset({"face", "sms", "esign"})
SERVICE_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")
MATERIAL_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
#: ``ServiceDef.decision_letters``: the keys of core.papers.issuance.kinds.DECISION_LETTERS
#: (kept here too: the contract layer does not import the papers wing).
DECISION_LETTER_CHOICES = ("licensing", "own")

#: MIME types the core can recognise by sniffing file content.
KNOWN_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


class Outcome(str, enum.Enum):
    """Result of a credit/eligibility check: pass, warn (accept with a recorded reason), block."""

    PASS = "pass"
    WARN = "warn"
    BLOCK = "block"

    @property
    def label(self) -> str:
        return {"pass": "通过", "warn": "提示", "block": "阻止"}[self.value]


@dataclass(frozen=True)
class CheckResult:
    """What a check found. ``reasons`` are Chinese sentences for the counter worker.

    ``hit`` says whether a list entry matched; ``matched`` is the matched record (evidence);
    ``list_version`` names the version of the list that was queried.
    """

    outcome: Outcome
    reasons: tuple[str, ...] = ()
    hit: bool = False
    matched: dict | None = None
    list_version: str | None = None

    @classmethod
    def passed(cls, reason: str = "", **kw) -> "CheckResult":
        return cls(Outcome.PASS, (reason,) if reason else (), **kw)

    @classmethod
    def warn(cls, *reasons: str, **kw) -> "CheckResult":
        return cls(Outcome.WARN, tuple(reasons), **kw)

    @classmethod
    def block(cls, *reasons: str, **kw) -> "CheckResult":
        return cls(Outcome.BLOCK, tuple(reasons), **kw)


@dataclass
class CheckContext:
    """Everything a check may look at. Checks must not change anything."""

    session: "Session"
    service: "ServiceDef"
    applicant: Any  # core.platform.models.Applicant
    form_data: dict
    materials: dict[str, str]  # material code -> status ("paper", "scan", "missing", ...)
    now: dt.datetime
    phase: str  # "acceptance" or "decision"
    # The application being checked (fields with defaults: the compatibility policy). Dates are
    # aware UTC; an age or duration rule "at the application date" reads ``filed_at``, not ``now``.
    application_id: int | None = None      # read-only: look it up, never change it from a check
    application_no: str = ""               # 申请编号
    filed_at: dt.datetime | None = None    # 申请（收件）日期: when it was submitted
    accepted_at: dt.datetime | None = None  # 受理日期: the acceptance itself at phase "acceptance"
    #: The deployment's configuration (read-only), so a check can read its plugin's settings
    #: with ``core.api.setting(ctx, NAME)`` the way the rest of the plugin does.
    config: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A credit/eligibility check (资格/信用核查) a service lists.

    ``run(ctx)`` returns a :class:`CheckResult`; it must be fast and side-effect free.
    """

    code: str
    name: str
    run: Callable[[CheckContext], CheckResult]
    description: str = ""


@dataclass(frozen=True)
class MaterialSpec:
    """One line of a service's materials checklist (申请材料).

    ``accepted_types`` are MIME types a scan may have; ``max_bytes`` limits a scan's size.
    ``alternative_to`` names another material this one can replace (e.g. a signed premises
    commitment instead of premises proof); one of the pair is then enough.
    """

    code: str
    name: str
    required: bool = True
    accepted_types: frozenset[str] = frozenset({"application/pdf", "image/jpeg", "image/png"})
    max_bytes: int = 10 * 1024 * 1024
    paper_ok: bool = True
    description: str = ""
    alternative_to: str | None = None


@dataclass
class CertificateContext:
    """What a certificate renderer gets: plain data, no database objects."""

    application_no: str
    service_code: str
    service_name: str
    applicant_name: str
    applicant_id_masked: str
    form_data: dict
    department_code: str
    department_name: str
    centre_name: str
    decided_at: dt.datetime
    verification_code: str
    verification_url: str
    extra: dict = field(default_factory=dict)


class Renderer(Protocol):
    """Turns a :class:`CertificateContext` into PDF bytes."""

    def __call__(self, ctx: CertificateContext) -> bytes:  # pragma: no cover - protocol
        ...


@dataclass(frozen=True)
class ServiceDef:
    """A service item (办事事项) a plugin offers. One service has exactly one owner plugin."""

    code: str
    name: str
    department: str
    form: type
    materials: tuple[MaterialSpec, ...] = ()
    deadline_working_days: int = 20
    #: How the time limit is counted: "working_days" (工作日, the default) or
    #: "calendar_days" (自然日; an end date on a holiday moves to the next working day).
    deadline_counting: str = "working_days"
    #: The statute's clock (法定时限规则: start, extension, pause, notice window, deemed
    #: outcomes, each cited). Without one the service gets the Administrative Licensing
    #: Law's clock with ``deadline_working_days`` as its promised limit; with one, the
    #: clock's ``days`` and ``counting`` win and the two fields above mirror them.
    clock: LegalClock | None = None
    channels: frozenset[str] = frozenset({"counter"})
    identity: frozenset[str] = frozenset()
    checks: tuple[Check, ...] = ()
    certificate: Renderer | None = None
    commitment: str | None = None
    keywords: tuple[str, ...] = ()
    guide: dict = field(default_factory=dict)  # 办事指南: legal_basis, fee, collect, ...
    #: Sample form data for demo data and contract tests; the strings "{name}" and
    #: "{id_number}" stand for the applicant's name and ID number.
    example: dict = field(default_factory=dict)
    #: Whether community stations (not only street and district centres) may accept it.
    community: bool = True
    #: Which decision letters (决定书) the core writes when an application is approved or
    #: rejected: ``"licensing"`` — 准予 / 不予行政许可决定书 (《行政许可法》第三十八条), for
    #: administrative licences; ``"own"`` — none, the plugin issues the letters its statute
    #: prescribes (legal aid: 给予 / 不予法律援助决定书, 《法律援助法》第四十三条).
    decision_letters: str = "licensing"
    #: Form fields holding sensitive personal information, field → kind (``id_number``,
    #: ``phone``, ``name``, ``text`` for free text such as income or case facts, ``people``
    #: for a list of persons); see :mod:`core.platform.masking`. Their values are stored
    #: encrypted in the application's form data and shown masked by kind. Fields named
    #: ``*id_number`` / ``*phone`` count without being listed.
    sensitive_fields: dict = field(default_factory=dict)
    plugin: str = ""  # filled in by the core: the plugin that declared it

    def __post_init__(self):
        sealed.declare(self.sensitive_fields)
        if isinstance(self.clock, LegalClock):
            # frozen: mirror the clock into the 0.1 fields templates and plugins still read
            object.__setattr__(self, "deadline_working_days", self.clock.days)
            object.__setattr__(self, "deadline_counting", self.clock.counting)

    @property
    def legal_clock(self) -> LegalClock:
        """The clock this service runs on: its own, or the Licensing Law's default."""
        if self.clock is not None:
            return self.clock
        return licensing_clock(self.deadline_working_days, self.deadline_counting)

    def example_for(self, name: str, id_number: str) -> dict:
        return {k: v.format(name=name, id_number=id_number) if isinstance(v, str) else v
                for k, v in self.example.items()}

    def material(self, code: str) -> MaterialSpec:
        for spec in self.materials:
            if spec.code == code:
                return spec
        raise KeyError(code)


def validate_service(service: ServiceDef, departments: set[str] | None = None) -> list[str]:
    """Return the problems with a declaration (empty when valid), in Chinese."""
    problems: list[str] = []
    if not isinstance(service, ServiceDef):
        return [f"声明的不是 ServiceDef：{service!r}"]
    if not SERVICE_CODE_RE.match(service.code or ""):
        problems.append(f"事项编码 {service.code!r} 不合法（应为 plugin.name 形式的小写英文）")
    if not service.name:
        problems.append(f"事项 {service.code} 缺少名称")
    if departments is not None and service.department not in departments:
        problems.append(f"事项 {service.code} 的审批部门 {service.department!r} 未知")
    for name, kind in (service.sensitive_fields or {}).items():
        if kind not in SENSITIVE_KINDS:
            problems.append(f"事项 {service.code} 的敏感字段 {name} 类型 {kind!r} 未知"
                            f"（可用：{'、'.join(SENSITIVE_KINDS)}）")
    form = service.form
    if not (isinstance(form, type) and issubclass(form, wtforms.Form)):
        problems.append(f"事项 {service.code} 缺少表单（WTForms 表单类）")
    if not isinstance(service.deadline_working_days, int) or service.deadline_working_days < 0:
        problems.append(f"事项 {service.code} 的办理时限必须是非负整数")
    if service.deadline_counting not in ("working_days", "calendar_days"):
        problems.append(f"事项 {service.code} 的时限计算方式 {service.deadline_counting!r} 未知")
    if service.clock is not None:
        problems.extend(validate_clock(service.code, service.clock))
    bad_channels = set(service.channels) - CHANNELS
    if bad_channels or not service.channels:
        problems.append(f"事项 {service.code} 的渠道 {sorted(bad_channels) or '为空'} 不合法")
    bad_identity = set(service.identity) - IDENTITY_STEPS
    if bad_identity:
        problems.append(f"事项 {service.code} 的身份核验步骤 {sorted(bad_identity)} 不合法")
    seen: set[str] = set()
    for spec in service.materials:
        if not isinstance(spec, MaterialSpec):
            problems.append(f"事项 {service.code} 的材料 {spec!r} 不是 MaterialSpec")
            continue
        where = f"事项 {service.code} 的材料 {spec.code!r}"
        if not MATERIAL_CODE_RE.match(spec.code or ""):
            problems.append(f"{where}：编码不合法")
        if spec.code in seen:
            problems.append(f"{where}：编码重复")
        seen.add(spec.code)
        if not (spec.name or "").strip():
            problems.append(f"{where}：缺少名称")
        if spec.max_bytes <= 0:
            problems.append(f"{where}：大小上限必须为正数")
        unknown = set(spec.accepted_types) - KNOWN_CONTENT_TYPES
        if unknown or not spec.accepted_types:
            problems.append(f"{where}：文件类型 {sorted(unknown) or '为空'} 无法识别")
    for spec in service.materials:
        if isinstance(spec, MaterialSpec) and spec.alternative_to and spec.alternative_to not in seen:
            problems.append(f"事项 {service.code} 的材料 {spec.code}：替代的材料 {spec.alternative_to} 不存在")
    check_codes: set[str] = set()
    for check in service.checks:
        if not isinstance(check, Check) or not callable(check.run):
            problems.append(f"事项 {service.code} 的核查 {check!r} 不是 Check")
            continue
        if check.code in check_codes:
            problems.append(f"事项 {service.code} 的核查 {check.code} 重复")
        check_codes.add(check.code)
    if service.decision_letters not in DECISION_LETTER_CHOICES:
        problems.append(f"事项 {service.code} 的决定书类型 {service.decision_letters!r} 未知"
                        f"（应为 {'、'.join(DECISION_LETTER_CHOICES)}）")
    if service.certificate is not None and not callable(service.certificate):
        problems.append(f"事项 {service.code} 的证照渲染器不可调用")
    return problems
