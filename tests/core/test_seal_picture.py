"""A paper shows a seal only when it is signed (issue 21, papers): decision letters and
certificates carry the drawn seal of the deciding department and a valid PAdES signature of
that department; the counter's receipts and notices carry neither. The name on the ring
stays inside the circle however long it is."""
from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from core.papers import issuance
from core.papers.documents import ring_layout
from core.papers.documents.seal_drawing import LAST_ARC, MIN_SIZE
from core.papers.seal import verify_pdf
from tests.core.test_issuance import ALL_KINDS, _render_after_commit, one_of_each  # noqa: F401

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")

RADIUS, LINE = 56.7, 2.8  # 20 mm in points, as on the letters


@pytest.mark.parametrize("name", [
    "示例审批局", "南京市栖霞区市场监督管理局", "南京市栖霞区人力资源和社会保障局劳动保障监察大队行政审批科",
    "江苏省南京市栖霞区人民政府政务服务管理办公室行政审批服务中心综合受理窗口一号专用章",
    "局" * 2, "很长的名字" * 30,
])
def test_the_name_stays_inside_the_ring(name):
    layout = ring_layout(name, RADIUS, LINE)
    assert layout.size >= MIN_SIZE
    for x, y in layout.corners():
        assert math.hypot(x, y) <= layout.inner_radius + 1e-6, (name, layout.size)
    # Neighbouring characters do not overlap: the boxes' inner edges are a character apart.
    inner = layout.baseline - 0.12 * layout.size
    for a, b in zip(layout.angles, layout.angles[1:]):
        gap = 2 * inner * math.sin(math.radians(a - b) / 2)
        assert gap >= layout.size, (name, gap, layout.size)
    span = layout.angles[0] - layout.angles[-1]
    assert span <= LAST_ARC
    # Symmetric about the top, first character on the left.
    assert layout.angles[0] >= 90 >= layout.angles[-1]
    assert abs((layout.angles[0] + layout.angles[-1]) / 2 - 90) < 1e-6


def test_names_that_fit_are_never_cut_and_long_ones_shrink():
    short, long_ = ring_layout("示例审批局", RADIUS, LINE), ring_layout("南京市栖霞区人力资源和社会保障局劳动保障监察大队行政审批科", RADIUS, LINE)
    assert short.text == "示例审批局" and long_.text.startswith("南京市") and long_.text.endswith("科")
    assert long_.size < short.size


def red_pixels(pdf: bytes, tmp_path: Path, name: str) -> int:
    """Seal-red pixels on page 1, inside the certificate border (which is red too)."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(source),
                    str(tmp_path / name)], check=True)
    image = Image.open(tmp_path / f"{name}.png").convert("RGB")
    inset = int(16 / 25.4 * 40)  # 16 mm: inside the 10–12.5 mm border of certificates
    body = image.crop((inset, inset, image.width - inset, image.height - inset))
    raw = body.tobytes()
    return sum(1 for i in range(0, len(raw), 3)
               if raw[i] > 170 and raw[i + 1] < 130 and raw[i + 2] < 120 and raw[i] - raw[i + 1] > 80)


@needs_pdftoppm
def test_a_drawn_seal_always_comes_with_a_valid_signature(world, tmp_path):
    q = world.quanke
    each = one_of_each(world)
    ca = Path(q.config["SEAL_DIR"]) / "ca.pem"
    seen = {}
    for kind in ALL_KINDS:
        data = issuance.pdf_bytes(q, each[kind].id)
        drawn = red_pixels(data, tmp_path, kind) > 150
        report = verify_pdf(data, [ca])
        seen[kind] = (drawn, report.ok and report.trusted)
        if drawn:
            assert report.ok and report.trusted, (kind, report.errors)
            assert report.signer_common_name == "示例审批局"
        else:
            assert not report.signed, kind
    assert seen == {kind: (kind in issuance.SEALED_KINDS,) * 2 for kind in ALL_KINDS}
