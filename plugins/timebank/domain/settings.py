"""Time-bank rules that a street may change: read from the runtime's configuration.

Every value can be given in the config dict passed to :class:`core.runtime.Quanke` or as
``QUANKE_<KEY>`` in the environment; the defaults are the 姚坊门 rules. Settings are
validated once per lookup, so a wrong value stops the operation with a clear message
instead of silently bending the ledger.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from core.api import InvalidInput

#: The 13 communities of the reference street (尧化街道 model). The first four codes are
#: the core demo's community stations, so a counter worker there is in their community.
DEFAULT_COMMUNITIES: tuple[tuple[str, str], ...] = (
    ("C011", "丹凤街社区"), ("C012", "估衣廊社区"), ("C021", "大行宫社区"), ("C031", "姚坊门社区"),
    ("C032", "尧化门社区"), ("C033", "新尧社区"), ("C034", "尧辰社区"), ("C035", "金尧社区"),
    ("C036", "尧林仙居社区"), ("C037", "尧佳社区"), ("C038", "东杨坊社区"),
    ("C039", "青田雅居社区"), ("C040", "尧石社区"),
)

DEFAULTS = {
    "TIMEBANK_SPLIT": (70, 20, 10),             # service / goods / cash, percent
    "TIMEBANK_CASH_RATE_FEN_PER_HOUR": 1500,    # cash subsidy: 15.00 元 per hour
    "TIMEBANK_STORAGE_CAP_HOURS": 1500,
    "TIMEBANK_LOAN_LIMIT_HOURS": 20,
    "TIMEBANK_LOAN_MIN_AGE": 80,
    "TIMEBANK_LOAN_REQUIRES_LIVING_ALONE": True,
    "TIMEBANK_FAMILY_TRANSFER": True,
    "TIMEBANK_RELATIONS": ("spouse", "parent", "child", "grandparent", "grandchild"),
    "TIMEBANK_STAR_HOURS": (100, 300, 600, 1000, 1500),
    "TIMEBANK_COMMUNITIES": DEFAULT_COMMUNITIES,
    "TIMEBANK_MAX_WINDOW_HOURS": 12,
}

RELATION_LABELS = {"spouse": "配偶", "parent": "父母", "child": "子女", "grandparent": "祖父母/外祖父母",
                   "grandchild": "孙子女/外孙子女", "sibling": "兄弟姐妹"}
#: Registering A → B as ``relation`` implies B → A as the inverse.
INVERSE_RELATION = {"spouse": "spouse", "parent": "child", "child": "parent",
                    "grandparent": "grandchild", "grandchild": "grandparent", "sibling": "sibling"}


@dataclass(frozen=True)
class Settings:
    split: tuple[int, int, int]
    cash_rate_fen_per_hour: int
    storage_cap_minutes: int
    loan_limit_minutes: int
    loan_min_age: int
    loan_requires_living_alone: bool
    family_transfer: bool
    relations: frozenset[str]
    star_minutes: tuple[int, ...]
    communities: tuple[tuple[str, str], ...]
    max_window_minutes: int

    def community_name(self, code: str) -> str:
        return dict(self.communities).get(code, code)

    def is_community(self, code: str | None) -> bool:
        return bool(code) and code in dict(self.communities)


def _raw(config: dict, key: str):
    if key in config:
        return config[key]
    env = os.environ.get(f"QUANKE_{key}")
    if env is None:
        return DEFAULTS[key]
    if isinstance(DEFAULTS[key], bool):
        return env.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(DEFAULTS[key], tuple):
        parts = [p.strip() for p in env.split(",") if p.strip()]
        if key == "TIMEBANK_COMMUNITIES":
            return tuple(tuple(p.split(":", 1)) for p in parts)
        return tuple(int(p) if p.isdigit() else p for p in parts)
    return int(env)


def _int(value, key: str, lo: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise InvalidInput(f"时间银行配置 {key} 必须是不小于 {lo} 的整数", code="timebank_config_invalid")
    return value


def settings(quanke) -> Settings:
    config = quanke.config if hasattr(quanke, "config") else dict(quanke)
    split = tuple(_raw(config, "TIMEBANK_SPLIT"))
    if len(split) != 3 or any(_int(p, "TIMEBANK_SPLIT") < 0 for p in split) or sum(split) != 100:
        raise InvalidInput("时间银行配置 TIMEBANK_SPLIT 必须是三个相加为100的百分比（服务、物品、现金）",
                           code="timebank_config_invalid")
    stars = tuple(_int(h, "TIMEBANK_STAR_HOURS", 1) for h in _raw(config, "TIMEBANK_STAR_HOURS"))
    if list(stars) != sorted(set(stars)):
        raise InvalidInput("时间银行配置 TIMEBANK_STAR_HOURS 必须严格递增", code="timebank_config_invalid")
    relations = frozenset(_raw(config, "TIMEBANK_RELATIONS"))
    unknown = relations - set(RELATION_LABELS)
    if unknown:
        raise InvalidInput(f"时间银行配置 TIMEBANK_RELATIONS 含未知亲属关系：{sorted(unknown)}",
                           code="timebank_config_invalid")
    communities = tuple((str(c), str(n)) for c, n in _raw(config, "TIMEBANK_COMMUNITIES"))
    return Settings(
        split=split,  # type: ignore[arg-type]
        cash_rate_fen_per_hour=_int(_raw(config, "TIMEBANK_CASH_RATE_FEN_PER_HOUR"),
                                    "TIMEBANK_CASH_RATE_FEN_PER_HOUR"),
        storage_cap_minutes=_int(_raw(config, "TIMEBANK_STORAGE_CAP_HOURS"), "TIMEBANK_STORAGE_CAP_HOURS", 1) * 60,
        loan_limit_minutes=_int(_raw(config, "TIMEBANK_LOAN_LIMIT_HOURS"), "TIMEBANK_LOAN_LIMIT_HOURS") * 60,
        loan_min_age=_int(_raw(config, "TIMEBANK_LOAN_MIN_AGE"), "TIMEBANK_LOAN_MIN_AGE"),
        loan_requires_living_alone=bool(_raw(config, "TIMEBANK_LOAN_REQUIRES_LIVING_ALONE")),
        family_transfer=bool(_raw(config, "TIMEBANK_FAMILY_TRANSFER")),
        relations=relations,
        star_minutes=tuple(h * 60 for h in stars),
        communities=communities,
        max_window_minutes=_int(_raw(config, "TIMEBANK_MAX_WINDOW_HOURS"), "TIMEBANK_MAX_WINDOW_HOURS", 1) * 60,
    )
