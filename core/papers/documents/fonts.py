"""The one embedded TrueType CJK font every paper is drawn with, and the characters it lacks.

AR PL UMing (a 宋体-like face), else WenQuanYi Zen Hei, unless ``$QUANKE_CJK_FONT`` or a path
names another; reportlab embeds TrueType fonts as subsets, so a one-page receipt stays small.
"""
from __future__ import annotations

import functools
import hashlib
import os
import unicodedata
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from core.platform.errors import QuankeError

FONT_ENV = "QUANKE_CJK_FONT"
#: TrueType CJK fonts tried in order: (path, subfont index). Index 0 of uming.ttc is "AR PL UMing CN".
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)


class FontMissing(QuankeError):
    """No usable CJK TrueType font: a deployment problem, not the user's."""

    code = "font_missing"
    http_status = 500


@dataclass(frozen=True)
class CJKFont:
    """A registered reportlab font and the code points it can draw."""

    name: str
    path: str
    subfont_index: int
    codepoints: frozenset[int]

    def has(self, char: str) -> bool:
        return ord(char) in self.codepoints


def cjk_font(path: str | None = None) -> CJKFont:
    """The CJK font to use: ``path`` if given, else ``$QUANKE_CJK_FONT``, else AR PL UMing,
    else WenQuanYi Zen Hei. Registered with reportlab once per path (cached)."""
    path = path or os.environ.get(FONT_ENV) or None
    if path:
        if not os.path.isfile(path):
            raise FontMissing(f"找不到字体文件 {path}（由参数或环境变量 {FONT_ENV} 指定）", code="font_missing")
        return _load_font(path, 0)
    for candidate, index in FONT_CANDIDATES:
        if os.path.isfile(candidate):
            return _load_font(candidate, index)
    raise FontMissing(
        "未找到中文 TrueType 字体。请安装 Debian 软件包 fonts-arphic-uming"
        "（apt-get install fonts-arphic-uming），或设置环境变量 "
        f"{FONT_ENV} 指向一个 TrueType 中文字体文件（.ttf/.ttc）。",
        code="font_missing",
    )


@functools.lru_cache(maxsize=8)
def _load_font(path: str, index: int) -> CJKFont:
    name = "QuankeCJK-" + hashlib.sha1(f"{path}#{index}".encode()).hexdigest()[:8]
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as exc:
        raise FontMissing(
            f"字体 {path} 无法使用：{exc}。reportlab 只支持 TrueType 轮廓的字体（不支持 CFF/OpenType，"
            "例如 Noto CJK）；请安装 fonts-arphic-uming。",
            code="font_missing",
        ) from exc
    pdfmetrics.registerFont(font)
    return CJKFont(name, path, index, frozenset(font.face.charToGlyph))


def _needs_glyph(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf"))


def missing_glyphs(text: str, *, font_path: str | None = None) -> set[str]:
    """The characters of ``text`` the CJK font has no glyph for (whitespace and control
    characters are ignored: they are not drawn)."""
    font = cjk_font(font_path)
    return {c for c in text or "" if _needs_glyph(c) and not font.has(c)}
