"""The embedded TrueType CJK font every paper is drawn with, its fallback, and the
characters neither has.

AR PL UMing (a 宋体-like face), else WenQuanYi Zen Hei, unless ``$QUANKE_CJK_FONT`` or a path
names another; reportlab embeds TrueType fonts as subsets, so a one-page receipt stays small.

Neither main font has CJK Extension B (U+20000–U+2A6DF), which real names use (𠀀, 𪚥, 𡈼):
those characters are drawn with the **fallback** font, HanaMin B (Debian ``fonts-hanazono``,
all of Extension B and most of C–F), or ``$QUANKE_CJK_FALLBACK_FONT``. It is loaded only when
a text needs it (the file is 30 MB). A character neither font has is still refused
(``glyph_missing``): a paper never leaves with a blank where a name should be.
"""
from __future__ import annotations

import functools
import hashlib
import os
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from core.platform.errors import QuankeError

FONT_ENV = "QUANKE_CJK_FONT"
FALLBACK_FONT_ENV = "QUANKE_CJK_FALLBACK_FONT"
#: TrueType CJK fonts tried in order: (path, subfont index). Index 0 of uming.ttc is "AR PL UMing CN".
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
)
#: Fonts for what the main font lacks, tried in order: HanaMin B has all of CJK Extension B.
FALLBACK_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", 0),
)


def _utf16_hex(codepoint: int) -> str:
    return chr(codepoint).encode("utf-16-be", "surrogatepass").hex().upper()


def _to_unicode_cmap(fontname: str, subset) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 surrogate
    pairs: reportlab 4–5 writes ``<20000>``, an odd-length string viewers reject, so 𠀀 could
    not be copied or searched in the PDF."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
             f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def",
             f"/CMapName /{fontname} def", "/CMapType 2 def", "1 begincodespacerange",
             f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(subset)} beginbfchar"]
    lines += [f"<{i:02X}> <{_utf16_hex(v)}>" for i, v in enumerate(subset)]
    lines += ["endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


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
        """This font alone has a glyph (what a caller drawing with ``name`` only may use)."""
        return ord(char) in self.codepoints

    def face_for(self, char: str) -> str | None:
        """The registered font that draws ``char``: this one, else the fallback, else None."""
        if ord(char) in self.codepoints:
            return self.name
        fallback = fallback_font()
        if fallback is not None and fallback.path != self.path and fallback.has(char):
            return fallback.name
        return None

    def draws(self, char: str) -> bool:
        """This font or the fallback has a glyph for ``char``."""
        return self.face_for(char) is not None

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` cut into (font name, piece) runs; a character neither font has stays with
        the main font (callers replace or refuse those before drawing)."""
        out: list[tuple[str, str]] = []
        for char in text:
            face = self.face_for(char) or self.name
            if out and out[-1][0] == face:
                out[-1] = (face, out[-1][1] + char)
            else:
                out.append((face, char))
        return out

    def markup(self, text: str) -> str:
        """``text`` as reportlab paragraph markup: escaped, line breaks as ``<br/>``, and the
        runs the main font lacks wrapped in ``<font face=…>`` of the fallback."""
        out = []
        for face, piece in self.runs(text):
            piece = escape(piece).replace("\n", "<br/>")
            out.append(piece if face == self.name else f'<font face="{face}">{piece}</font>')
        return "".join(out)

    def width(self, text: str, size: float) -> float:
        """The drawn width of ``text`` at ``size``, each run in its own font."""
        return sum(pdfmetrics.stringWidth(piece, face, size) for face, piece in self.runs(text))


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


def fallback_font() -> CJKFont | None:
    """The fallback font (``$QUANKE_CJK_FALLBACK_FONT``, else HanaMin B), or None when none
    is installed; loaded and registered on first use."""
    path = os.environ.get(FALLBACK_FONT_ENV) or None
    candidates = ((path, 0),) if path else FALLBACK_CANDIDATES
    for candidate, index in candidates:
        if os.path.isfile(candidate):
            return _load_font(candidate, index)
    return None


def _needs_glyph(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf"))


def missing_glyphs(text: str, *, font_path: str | None = None) -> set[str]:
    """The characters of ``text`` neither the CJK font nor its fallback has a glyph for
    (whitespace and control characters are ignored: they are not drawn)."""
    font = cjk_font(font_path)
    return {c for c in text or "" if _needs_glyph(c) and not font.draws(c)}
