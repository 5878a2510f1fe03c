"""`matrixkit publish`: one self-contained page that reads without JavaScript, escapes every text."""

from __future__ import annotations

import copy
import html
import itertools
import json
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FT_ENGINEERING, TEMPLATES, base_framework

from matrixkit.cli.main import main
from matrixkit.errors import UsageError
from matrixkit.model.framework import Framework, load_framework, load_frameworks
from matrixkit.outputs.publish import change_segments, publish_html, word_diff_html

DAY = date(2026, 5, 1)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# -- a small DOM from the stdlib parser ------------------------------------------------------------


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        if tag is None or self.tag == tag:
            yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter(tag)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_id(self, element_id: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == element_id]
        assert len(found) == 1, f"id {element_id!r} found {len(found)} times"
        return found[0]

    def has_ancestor(self, predicate: Callable[[Node], bool]) -> bool:
        node = self.parent
        while node is not None:
            if predicate(node):
                return True
            node = node.parent
        return False


class TreeBuilder(HTMLParser):
    """Builds a tree and insists that every non-void element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in VOID, f"<{tag} /> is not a void element"
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"</{tag}> closes a void element"
        assert self.current.tag == tag, f"</{tag}> closes <{self.current.tag}>"
        assert self.current.parent is not None
        self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(page: str) -> Node:
    builder = TreeBuilder()
    builder.feed(page)
    builder.close()
    assert builder.current is builder.root, f"<{builder.current.tag}> is never closed"
    return builder.root


def static_text(node: Node) -> str:
    """What a reader sees without JavaScript: the text outside <script> and hidden elements."""
    if node.tag == "script" or "hidden" in node.attrs:
        return ""
    return "".join(c if isinstance(c, str) else static_text(c) for c in node.children)


def squash(text: str) -> str:
    return " ".join(text.split())


# -- helpers ---------------------------------------------------------------------------------------


def framework_from(data: dict[str, Any], write_yaml: Callable[..., Path]) -> Framework:
    return load_framework(write_yaml(data))


@pytest.fixture(scope="module")
def engineering_and_data() -> list[Framework]:
    return load_frameworks([TEMPLATES / "engineering.yaml", TEMPLATES / "data-science.yaml"])


@pytest.fixture(scope="module")
def page(engineering_and_data: list[Framework]) -> str:
    return publish_html(engineering_and_data, DAY)


@pytest.fixture(scope="module")
def tree(page: str) -> Node:
    return parse(page)


# -- content ---------------------------------------------------------------------------------------


def test_every_family_track_level_and_competency_is_on_the_page(
    engineering_and_data: list[Framework], tree: Node
) -> None:
    headings = [squash(n.text()) for level in ("h2", "h3", "h4") for n in tree.iter(level)]
    for fw in engineering_and_data:
        assert any(h.startswith(fw.family.name) for h in headings), fw.family.name
        for track in fw.tracks:
            assert f"{track.name} levels" in headings
            for level in track.levels:
                section = tree.find_id(f"{fw.family.id}:level:{level.id}")
                assert section.tag == "article"
                assert squash(next(section.iter("h4")).text()) == f"{level.id} {level.title}"
                if level.scope:
                    assert squash(level.scope) in squash(section.text())
                ladder = tree.find_id(f"{fw.family.id}:ladder").parent
                assert ladder is not None
                assert any(a.attrs.get("href") == f"#{fw.family.id}:level:{level.id}" for a in ladder.iter("a"))
        for competency in fw.competencies:
            section = tree.find_id(f"{fw.family.id}:competency:{competency.id}")
            assert squash(next(section.iter("h4")).text()).startswith(competency.name)
            shown = squash(section.text())
            for text in competency.descriptions.values():
                assert squash(text) in shown


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.yaml")))
def test_every_template_publishes_a_well_formed_page(template: str) -> None:
    fw = load_framework(TEMPLATES / template)
    tree = parse(publish_html([fw], DAY))
    ids = [n.attrs["id"] for n in tree.iter() if n.attrs.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    for link in tree.iter("a"):
        href = link.attrs.get("href") or ""
        assert href.startswith("#") and href[1:] in ids, f"{href} points nowhere"
    for region in tree.iter():
        for attribute in ("aria-labelledby", "aria-describedby", "for"):
            if attribute in region.attrs:
                assert region.attrs[attribute] in ids, f"{attribute}={region.attrs[attribute]} points nowhere"


def test_promotion_criteria_are_in_plain_words(write_yaml: Callable[..., Path]) -> None:
    fw = framework_from(base_framework(), write_yaml)
    tree = parse(publish_html([fw], DAY))
    l2 = squash(tree.find_id("eng:level:L2").text())
    assert "To reach L3 Engineer 3" in l2
    for phrase in (
        "An average rating of at least 3.5 with no competency rated below 3",
        "No more than 1 competency rated below what L3 (Engineer 3) expects",
        "The rating criteria above met in 2 review cycles in a row",
        "At least 12 months at the current level",
        "Evidence: Has led a project with 3+ cross-team stakeholders",
        "Manager endorsement",
        "Confirmed in a calibration session",
    ):
        assert phrase in l2
    # L2 is where people may cross over to management, and where the lateral path to data starts.
    assert "To cross over to Management: M1 Manager 1" in l2 and "No competency rated below 3" in l2
    assert "Move to another job family: level DS2 of the 'data' job family (a framework not on this page)" in l2
    # The first level overrides the average only; the default's other keys still apply.
    l1 = squash(tree.find_id("eng:level:L1").text())
    assert "An average rating of at least 3 " in l1 + " " and "Manager endorsement" in l1
    assert "This is the top of the track." in squash(tree.find_id("eng:level:L4").text())


def test_role_profile_shows_expected_proficiency_in_text_not_colour_alone(write_yaml: Callable[..., Path]) -> None:
    fw = framework_from(base_framework(), write_yaml)
    tree = parse(publish_html([fw], DAY))
    table = next(tree.find_id("eng:level:L2").iter("table"))
    rows = [[squash(cell.text()) for cell in row.iter() if cell.tag in ("th", "td")] for row in table.iter("tr")]
    assert rows[0] == ["Competency", "Expected at L2", "At L3 Engineer 3"]
    assert ["Communication", "●●●○○ 3 Proficient", "●●●●○ 4 Advanced ▲ +1"] in rows
    dots = [n for n in table.iter("span") if "dots" in (n.attrs.get("class") or "")]
    assert dots and all(n.attrs.get("aria-hidden") == "true" for n in dots)


def test_equivalent_levels_share_a_row_and_the_crossover_is_marked(write_yaml: Callable[..., Path]) -> None:
    fw = framework_from(base_framework(), write_yaml)
    tree = parse(publish_html([fw], DAY))
    table = next(tree.find_id("eng:ladder").parent.iter("table"))  # type: ignore[union-attr]
    rows = [squash(row.text()) for row in next(table.iter("tbody")).iter("tr")]
    assert rows[0].startswith("L4 Engineer 4") and "M4 Manager 4 equivalent to L4 Engineer 4" in rows[0]
    assert any("L1 Engineer 1" in row and "M1 Manager 1" in row for row in rows)
    l2_row = next(row for row in rows if row.startswith("L2"))
    assert "may cross over to Management (M1 Manager 1)" in l2_row
    assert "↗ level DS2 of the 'data' job family (a framework not on this page)" in l2_row
    assert "entry from L2 Engineer 2" in squash(table.text())


def test_lateral_paths_link_families_both_ways(tree: Node) -> None:
    engineering = squash(tree.find_id("engineering:ladder").parent.text())  # type: ignore[union-attr]
    assert "IC3 Senior Software Engineer ↗ Data Science: DS2 Data Scientist II" in engineering
    assert "↗ Data Science: DS2 Data Scientist II" in engineering, "the ladder names the other family's level"
    assert "From Data Science: DS3 Senior Data Scientist ↗ Engineering: IC3" in engineering
    hrefs = {a.attrs.get("href") for a in tree.find_id("engineering:level:IC3").iter("a")}
    assert "#data:level:DS2" in hrefs


# -- diff ------------------------------------------------------------------------------------------


def test_words_are_marked_only_where_most_of_the_text_is_kept() -> None:
    assert word_diff_html("Writes the plan for the team.", "Writes the yearly plan for the team.") == (
        "Writes the <ins>yearly</ins> plan for the team."
    )
    assert word_diff_html(None, "All new <text>") == "All new &lt;text&gt;"
    # Rewritten rather than changed: the old word-by-word diff marked all but "the" and "a"; now plain.
    rewritten = "Sets the department's yearly plans and reports results against them every quarter."
    assert word_diff_html("Plans and delivers a project for the team.", rewritten) == html.escape(rewritten)


def test_lists_are_compared_item_by_item_and_markers_are_never_new() -> None:
    old = "- Logs every question in the tracker\n- Answers policy questions from the handbook"
    new = (
        "- Logs every question in the tracker the same day\n"
        "- Answers policy questions from the handbook\n"
        "- Trains new partners on the tracker"
    )
    assert word_diff_html(old, new) == (
        "- Logs every question in the tracker <ins>the same day</ins>\n"
        "- Answers policy questions from the handbook\n"
        "- <ins>Trains new partners on the tracker</ins>"
    )
    numbered = word_diff_html("1. Reviews code\n2. Writes tests", "1. Reviews code\n2. Writes tests\n3. Runs demos")
    assert numbered == "1. Reviews code\n2. Writes tests\n3. <ins>Runs demos</ins>"
    # A list written afresh is shown as it is, not as one long mark.
    fresh = "- Handles routine cases end to end\n- Escalates cases with legal risk"
    assert word_diff_html(old, fresh) == fresh
    # Old code: "Writes the <ins>- yearly</ins> plan." style marks began with the marker.
    assert not re.search(r"<ins>\s*(?:[-*•]|\d+[.)])\s", word_diff_html(old, new) + numbered)


def test_real_descriptions_are_rewritten_so_tables_read_as_plain_text() -> None:
    """The shipped templates write each level afresh: marking words would mark nearly all of them."""
    for template in sorted(TEMPLATES.glob("*.yaml")):
        page = publish_html([load_framework(template)], DAY)
        assert "<ins>" not in page.split('id="mk-data"')[0].replace("<ins class=", "<ins-sample"), template.name


def test_competency_table_marks_what_is_new_at_each_level(write_yaml: Callable[..., Path]) -> None:
    data = base_framework()
    descriptions = data["competencies"][0]["descriptions"]
    descriptions["L1"] = "Writes status updates for the team."
    descriptions["L2"] = "Writes weekly status updates for the team."
    tree = parse(publish_html([framework_from(data, write_yaml)], DAY))
    section = tree.find_id("eng:competency:communication")
    inserted = [squash(n.text()) for n in section.iter("ins")]
    assert "weekly" in inserted
    first_cell = next(td for td in section.iter("td") if "Writes status updates for the team." in td.text())
    assert not list(first_cell.iter("ins")), "the first level has nothing to compare with"


# -- safety ----------------------------------------------------------------------------------------


def test_framework_text_is_escaped(write_yaml: Callable[..., Path]) -> None:
    data = base_framework()
    data["family"]["name"] = "R&D <Engineering>"
    data["tracks"][0]["levels"][1]["title"] = 'Engineer "2" <b>bold</b>'
    data["competencies"][0]["descriptions"]["L2"] = "Says <script>alert(1)</script> & writes </script> notes."
    page = publish_html([framework_from(data, write_yaml)], DAY)
    assert "<script>alert(1)" not in page and "<b>bold" not in page
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the data and the page's own code
    tree = parse(page)
    text = static_text(tree)
    assert "Says <script>alert(1)</script> & writes </script> notes." in text
    assert "R&D <Engineering>" in text and 'Engineer "2" <b>bold</b>' in text
    data_script = tree.find_id("mk-data")
    embedded = json.loads(data_script.text())
    levels = embedded["families"][0]["levels"]
    assert levels[1]["descriptions"]["communication"] == "Says <script>alert(1)</script> & writes </script> notes."


def test_nothing_is_fetched_from_elsewhere(page: str, tree: Node) -> None:
    for node in tree.iter():
        for attribute in ("src", "href", "action", "srcset", "poster", "data"):
            value = node.attrs.get(attribute)
            if value is not None:
                assert value.startswith("#"), f"<{node.tag} {attribute}={value!r}>"
                assert "//" not in value
    assert not list(tree.iter("link")) and not list(tree.iter("img")) and not list(tree.iter("iframe"))
    assert "http://" not in page and "https://" not in page
    style = "".join(n.text() for n in tree.iter("style"))
    assert "url(" not in style and "@import" not in style and "@font-face" not in style


# -- works without JavaScript, accessible --------------------------------------------------------------


def test_content_is_in_the_static_html(engineering_and_data: list[Framework], tree: Node) -> None:
    text = squash(static_text(tree))
    for fw in engineering_and_data:
        for competency in fw.competencies:
            for description in competency.descriptions.values():
                assert squash(description) in text
        for level in fw.level_by_id.values():
            assert level.title in text
    # What needs JavaScript is hidden until the script shows it, and said so for readers without it.
    for element_id in ("compare", "mk-search-form"):
        node = tree.find_id(element_id)
        assert "hidden" in node.attrs or node.has_ancestor(lambda n: "hidden" in n.attrs)
    assert "need JavaScript" in next(tree.iter("noscript")).text()


def test_landmarks_headings_and_labels(tree: Node) -> None:
    html_node = next(tree.iter("html"))
    assert html_node.attrs.get("lang") == "en"
    assert len(list(tree.iter("h1"))) == 1
    assert len(list(tree.iter("main"))) == 1 and list(tree.iter("header")) and list(tree.iter("footer"))
    assert all(nav.attrs.get("aria-label") for nav in tree.iter("nav"))
    levels = [int(n.tag[1]) for n in tree.iter() if re.fullmatch(r"h[1-6]", n.tag)]
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, "no heading level is skipped"
    labels = {label.attrs.get("for") for label in tree.iter("label")}
    controls = [n for n in tree.iter() if n.tag in ("input", "select", "textarea")]
    assert controls and all(c.attrs.get("id") in labels for c in controls)
    for table in tree.iter("table"):
        assert list(table.iter("caption")), "every table says what it shows"
    viewport = [m for m in tree.iter("meta") if m.attrs.get("name") == "viewport"]
    assert viewport and "width=device-width" in (viewport[0].attrs.get("content") or "")
    assert "@media print" in "".join(n.text() for n in tree.iter("style"))


# -- version, date, reproducibility ------------------------------------------------------------------


def test_version_and_publication_date_are_shown(tree: Node) -> None:
    header = squash(next(tree.iter("header")).text())
    assert "Engineering version 2026.1" in header and "Data Science version 2026.1" in header
    assert "Published 2026-05-01" in header
    times = [t.attrs.get("datetime") for t in tree.iter("time")]
    assert times and set(times) == {"2026-05-01"}


def test_same_inputs_give_the_same_bytes(engineering_and_data: list[Framework], page: str) -> None:
    again = publish_html(load_frameworks([TEMPLATES / "engineering.yaml", TEMPLATES / "data-science.yaml"]), DAY)
    assert again == page
    later = publish_html(engineering_and_data, date(2027, 1, 31))
    assert later.replace("2027-01-31", "2026-05-01") == page


def test_real_world_text_survives() -> None:
    fw = load_framework(FT_ENGINEERING)
    page = publish_html([fw], DAY)
    text = static_text(parse(page))
    descriptions = [d for c in fw.competencies for d in c.descriptions.values()]
    assert any("\u200b" in d for d in descriptions)
    assert "alignment\u200b." in text, "the zero-width space is kept, not mangled"
    longest = max(descriptions, key=len)
    assert len(longest) > 400 and squash(longest) in squash(text), "long descriptions are never cut"
    # Line breaks stay in the text (the page shows them with white-space: pre-line), numbered lists included.
    cells = {td.text() for td in parse(page).iter("td") if td.attrs.get("class") == "text"}
    multi_line = [
        "\n".join(line.rstrip() for line in d.strip().splitlines()) for d in descriptions if "\n" in d.strip()
    ]
    assert len(multi_line) >= 5
    for description in multi_line:
        assert description in cells
    assert ".text{white-space:pre-line}" in page


def test_no_frameworks_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        publish_html([], DAY)


# -- the command ---------------------------------------------------------------------------------


def test_cli_writes_the_page(tmp_path: Path, engineering_and_data: list[Framework], page: str) -> None:
    out = tmp_path / "site" / "framework.html"
    sources = [str(TEMPLATES / "engineering.yaml"), str(TEMPLATES / "data-science.yaml")]
    result = CliRunner().invoke(main, ["publish", *sources, "-o", str(out), "--date", "2026-05-01"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == page.encode("utf-8")
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_cli_takes_folders_and_defaults_to_today(tmp_path: Path, write_yaml: Callable[..., Path]) -> None:
    write_yaml(copy.deepcopy(base_framework()))
    out = tmp_path / "out.html"
    result = CliRunner().invoke(main, ["publish", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f'Published <time datetime="{date.today().isoformat()}">' in out.read_text(encoding="utf-8")


def test_cli_bad_framework_exits_2_and_names_the_problem(tmp_path: Path, write_yaml: Callable[..., Path]) -> None:
    data = base_framework()
    data["tracks"][0]["levels"][0]["expected"]["astrology"] = 3
    bad = write_yaml(data)
    out = tmp_path / "page.html"
    result = CliRunner().invoke(main, ["publish", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "unknown competency 'astrology'" in result.output
    assert not out.exists()


def test_cli_bad_date_and_overwriting_an_input_exit_2(tmp_path: Path, write_yaml: Callable[..., Path]) -> None:
    source = write_yaml(base_framework())
    runner = CliRunner()
    bad_date = runner.invoke(main, ["publish", str(source), "-o", str(tmp_path / "p.html"), "--date", "1 May"])
    assert bad_date.exit_code == 2 and "--date" in bad_date.output
    overwrite = runner.invoke(main, ["publish", str(tmp_path), "-o", str(source)])
    assert overwrite.exit_code == 2 and "refusing to write" in overwrite.output
    assert source.read_text(encoding="utf-8").startswith("matrixkit: 1")


# -- rendered by a real browser (chromium), when there is one ----------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed (apt-get install chromium)"
)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None, "CI needs chromium: apt-get install -y chromium"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def phone_harness(page: str, width: int) -> str:
    """Headless windows are never narrower than ~500px: a phone-wide iframe gives the page a phone viewport,
    and the script beside it reports whether the page scrolls sideways."""
    return (
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="f" style="border:0;width:{width}px;height:1600px" srcdoc="{html.escape(page, quote=True)}">'
        "</iframe><script>document.getElementById('f').addEventListener('load', function () {"
        "var d = this.contentDocument.documentElement;"
        "document.body.setAttribute('data-scroll-width', d.scrollWidth);"
        "document.body.setAttribute('data-client-width', d.clientWidth);"
        "var r = this.contentDocument.getElementById('mk-compare-result');"
        "document.body.setAttribute('data-compare-rows', r ? r.querySelectorAll('.cmp').length : -1);"
        "var doc = this.contentDocument, box = doc.getElementById('mk-search');"
        "box.value = 'incident response'; box.dispatchEvent(new Event('input'));"
        "document.body.setAttribute('data-search-total', doc.querySelectorAll('[data-search-item]').length);"
        "var shown = doc.querySelectorAll('[data-search-item]:not([hidden])').length;"
        "document.body.setAttribute('data-search-shown', shown);"
        "});</script></body></html>"
    )


def ink(png: bytes) -> float:
    """The share of pixels that are not white (an 8-bit RGB or RGBA PNG, as Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, body = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    stride, raw = width * channels, zlib.decompress(idat)
    previous, inked = bytearray(stride), 0
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, up_left = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        inked += sum(1 for x in range(0, stride, channels) if min(line[x : x + 3]) < 200)
        previous = line
    return float(inked / (width * height))


@needs_chromium
def test_browser_renders_phone_and_desktop_and_prints(tmp_path: Path) -> None:
    page = publish_html([load_framework(FT_ENGINEERING), load_framework(TEMPLATES / "engineering.yaml")], DAY)
    path = tmp_path / "framework.html"
    path.write_text(page, encoding="utf-8")
    harness = tmp_path / "phone.html"
    harness.write_text(phone_harness(page, 360), encoding="utf-8")

    dom = chromium(tmp_path, "--window-size=500,900", "--virtual-time-budget=5000", "--dump-dom", harness.as_uri())
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None
    found = dict(re.findall(r'data-([a-z-]+)="(-?\d+)"', body.group(0)))
    assert found["scroll-width"] == found["client-width"], "no sideways scrolling of the page on a phone"
    assert int(found["compare-rows"]) > 5, "the script ran and filled the comparison"
    assert 0 < int(found["search-shown"]) < int(found["search-total"]), "the search box filters"

    shots = {"phone": (harness, "500,900"), "desktop": (path, "1280,900")}
    for name, (source, size) in shots.items():
        png = tmp_path / f"{name}.png"
        chromium(
            tmp_path, f"--window-size={size}", "--virtual-time-budget=3000", f"--screenshot={png}", source.as_uri()
        )
        share = ink(png.read_bytes())
        assert 0.01 < share < 0.6, f"{name} rendering looks blank or broken ({share:.3f} inked)"

    pdf = tmp_path / "framework.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", data)) > 5


# What the page measures of itself in a real browser: a script run after the page's own, whose findings
# it writes as JSON into the DOM of the frame around it, for --dump-dom (the command line cannot measure).
MEASURE = """
function rightOf(n) { return n.getBoundingClientRect().right; }
function leftOf(n) { return n.getBoundingClientRect().left; }
function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }
function clipped(root) {
  return all(root, "*").filter(function (n) {
    return n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflowX !== "visible";
  }).length;
}
function segments(node) {
  return Array.prototype.map.call(node.childNodes, function (c) { return [c.textContent, c.nodeName === "INS"]; });
}
function lastLevels() {
  return all(document, ".competencies table").map(function (table) {
    var links = all(table, "a"), cells = all(table, "td");
    var link = links[links.length - 1], cell = cells[cells.length - 1];
    return {
      caption: table.caption.textContent, level: link.textContent,
      inside: leftOf(link) >= 0 && rightOf(link) <= innerWidth && leftOf(cell) >= 0 && rightOf(cell) <= innerWidth
    };
  });
}
function compareBlocks() {
  return all(document, "#mk-compare-result .cmp").map(function (block) {
    var sides = all(block, ".side p.text");
    return { name: block.querySelector("h4").firstChild.textContent, to: segments(sides[sides.length - 1]) };
  });
}
function underlined() {
  var ins = document.querySelector(".competencies td ins");
  return ins ? getComputedStyle(ins).textDecorationLine : null;
}
var root = document.documentElement, result = document.getElementById("mk-compare-result");
var found = {
  width: innerWidth, pageWidth: root.scrollWidth,
  compareClipped: clipped(document.getElementById("compare")),
  compareOutside: all(result, "*").filter(function (n) { return rightOf(n) > innerWidth + 0.5; }).length,
  lastLevels: lastLevels(), marksOff: compareBlocks(), tableMarkOff: underlined()
};
var box = document.getElementById("mk-marks-compare");
if (box) {
  box.click();
  found.checkedTogether = all(document, ".mk-marks").every(function (b) { return b.checked; });
  found.marksOn = compareBlocks();
  found.tableMarkOn = underlined();
}
var probe = document.createElement("pre");
probe.id = "mk-probe";
probe.textContent = JSON.stringify(found);
parent.document.body.appendChild(probe);
"""


def measure(tmp_path: Path, page: str, width: int) -> dict[str, Any]:
    """The page at `width` CSS pixels, as MEASURE finds it (first the marks off, then switched on).

    --dump-dom gives a window at least 500 px wide, so the page runs in a frame `width` wide (as phone_harness)."""
    measured = page.replace("</body>", f"<script>\n{MEASURE}</script>\n</body>")
    path = tmp_path / f"measured-{width}.html"
    path.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe style="border:0;width:{width}px;height:900px" srcdoc="{html.escape(measured, quote=True)}">'
        "</iframe></body></html>",
        encoding="utf-8",
    )
    window = f"--window-size={max(width, 500) + 20},900"
    dom = chromium(tmp_path, window, "--virtual-time-budget=5000", "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="mk-probe">(.*?)</pre>', dom.stdout, re.S)
    assert found is not None, dom.stdout[-2000:]
    result: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert result["width"] == width, "chromium gave the page the window's width"
    return result


@pytest.fixture(scope="module")
def shipped_page() -> str:
    return publish_html(load_frameworks([TEMPLATES / "engineering.yaml", TEMPLATES / "data-science.yaml"]), DAY)


@needs_chromium
def test_compare_fits_a_phone_one_level_below_the_other(tmp_path: Path, shipped_page: str) -> None:
    found = measure(tmp_path, shipped_page, 390)
    assert found["pageWidth"] <= 390, "the page does not scroll sideways"
    # Old page: the comparison was a five-column table scrolling inside its box, descriptions off-screen.
    assert found["compareClipped"] == 0 and found["compareOutside"] == 0, found
    assert len(found["marksOff"]) > 5
    assert all(level["inside"] for level in found["lastLevels"]), "competency tables fit the phone"


@needs_chromium
def test_every_level_of_every_competency_table_is_on_screen_at_1280(tmp_path: Path, shipped_page: str) -> None:
    found = measure(tmp_path, shipped_page, 1280)
    assert found["pageWidth"] <= 1280
    # Old page: one column per level, cut off after IC5 with IC6 and IC7 beyond a hidden scroll bar.
    cut = [f"{t['caption']} ({t['level']})" for t in found["lastLevels"] if not t["inside"]]
    assert not cut, f"last level out of sight in: {cut}"
    assert {t["level"] for t in found["lastLevels"]} >= {"IC7 Distinguished Engineer", "M4 VP of Engineering"}


@needs_chromium
def test_marks_are_off_until_the_reader_switches_them_on(tmp_path: Path, write_yaml: Callable[..., Path]) -> None:
    data = base_framework()
    descriptions = data["competencies"][0]["descriptions"]
    descriptions["L1"] = "- Writes status updates for the team\n- Answers questions in the team channel"
    descriptions["L2"] = (
        "- Writes weekly status updates for the team\n- Answers questions in the team channel\n- Runs the team demo"
    )
    data["competencies"][1]["descriptions"]["L2"] = "Chairs the design review that other teams bring their plans to."
    fw = framework_from(data, write_yaml)
    found = measure(tmp_path, publish_html([fw], DAY), 1280)
    off = {block["name"]: block["to"] for block in found["marksOff"]}
    assert not any(is_new for segments in off.values() for _, is_new in segments), "plain text by default"
    assert found["tableMarkOff"] == "none", "the tables' marks are not shown either"
    on = {block["name"]: block["to"] for block in found["marksOn"]}
    assert found["checkedTogether"] and found["tableMarkOn"] == "underline"
    communication = fw.competency_by_id["communication"].descriptions
    expected = change_segments(communication["L1"], communication["L2"])
    assert [tuple(s) for s in on["Communication"]] == expected, "the script marks what the tables mark"
    assert [s for s, is_new in expected if is_new] == ["weekly", "Runs the team demo"]
    assert not any(is_new for _, is_new in on["Collaboration"]), "a description written afresh is not marked"


def test_stylesheet_and_script_come_from_the_package_files(page: str) -> None:
    """The page inlines matrixkit/outputs/page/page.css and page.js, which the wheel ships with the template."""
    from importlib import resources

    folder = resources.files("matrixkit.outputs") / "page"
    assert (folder / "page.html.j2").is_file()
    css = (folder / "page.css").read_text(encoding="utf-8").replace("\n", "")
    js = (folder / "page.js").read_text(encoding="utf-8")
    assert f"<style>{css}</style>" in page
    assert f"<script>\n{js}</script>" in page
