"""The HTML report and Art. 30 record in a real headless Chromium (Debian's ``chromium``).

The logs come from real certbot runs (both targets) against Pebble; the pages from the
target's own ``certbot-privacy``. The browser loads each page from a file with every host
name mapped to nowhere: the page must load with no console message (a CSP violation, a
blocked request, an error are all console messages), its DOM must hold the figures of
``--format json``, and a screenshot and a printed A4 PDF are made (the PDF's pages
rendered with ``pdftoppm`` and their size checked). A page with a script and an external
image shows that the policy is enforced and that the check sees it.
"""

import datetime
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

from certbot_privacy._internal.log import classify
from harness import CertbotRunner, CertbotTarget, require_success
from tests.helpers import prerequisites
from tests.helpers.hostile import HOSTILE, hostile_fleet
from tests.helpers.html_page import (
    ELEMENTS,
    Page,
    chromium,
    console_messages,
    png_size,
    run_chromium,
)

pytestmark = pytest.mark.e2e

WINDOW = (1100, 1400)
#: A4 at the resolution the PDF pages are rendered (pdftoppm -r 50): 210 x 297 mm.
A4_AT_50_DPI = (413, 585)


@pytest.fixture(scope="module")
def browser() -> str:
    """Debian's chromium and poppler's pdftoppm (skipped locally if missing; CI has them)."""
    found = chromium()
    missing = [n for n, p in (("chromium", found), ("pdftoppm", shutil.which("pdftoppm"))) if not p]
    if missing or found is None:
        prerequisites.missing(
            f"{', '.join(missing)} not installed (bash scripts/bootstrap installs them)"
        )
    return found


def _tool(target: CertbotTarget, *args: str) -> str:
    tool = target.certbot.parent / "certbot-privacy"
    done = subprocess.run(
        [str(tool), *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _load(browser: str, work: Path, page: Path) -> Page:
    """Load *page*: no console message, and the DOM as the browser built it."""
    done = run_chromium(browser, work, "--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    assert done.stdout.lstrip().startswith("<!DOCTYPE html>") and "</body></html>" in done.stdout
    return Page(done.stdout)


def _screenshot_and_pdf(browser: str, work: Path, page: Path) -> Tuple[Path, Path]:
    shot, pdf = work / f"{page.stem}.png", work / f"{page.stem}.pdf"
    done = run_chromium(
        browser,
        work,
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    assert png_size(shot) == WINDOW
    assert console_messages(done.stderr) == []
    done = run_chromium(
        browser, work, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()
    )
    assert done.returncode == 0 and pdf.read_bytes().startswith(b"%PDF-"), done.stderr[-2000:]
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", str(pdf), str(work / page.stem)],
        check=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    pages = sorted(work.glob(f"{page.stem}-*.png"))
    assert pages, "the PDF has no page"
    for rendered in pages:
        width, height = png_size(rendered)
        assert abs(width - A4_AT_50_DPI[0]) <= 2 and abs(height - A4_AT_50_DPI[1]) <= 2
        assert rendered.stat().st_size > 2000, f"{rendered} looks blank"
    return shot, pdf


def _issued_log(certbot: CertbotRunner) -> Path:
    domain = certbot.domain()
    require_success(certbot.run(*certbot.certonly_args(domain)))
    require_success(certbot.run(*certbot.certonly_args(domain), "--force-renewal"))
    return certbot.logs_dir / "disclosure.jsonl"


def test_the_report_of_real_runs_loads_prints_and_shows_the_json_figures(
    certbot: CertbotRunner, target: CertbotTarget, browser: str, tmp_path: Path
) -> None:
    """A real issuance and renewal: the HTML report loads cleanly, holds every figure of
    --format json, has a timeline per recipient, and prints as A4 pages."""
    log = _issued_log(certbot)
    data: Dict[str, Any] = json.loads(_tool(target, "report", "--format", "json", str(log)))
    page_file = tmp_path / "report.html"
    page_file.write_text(_tool(target, "report", "--format", "html", str(log)), encoding="utf-8")
    page = _load(browser, tmp_path, page_file)
    assert {tag for tag, _ in page.tags} <= ELEMENTS
    assert page.has_row(requests=data["requests"], privacy_off=data["privacy_off"])
    for recipient in data["recipients"]:
        assert recipient["recipient"] in page.text
        counted = _counted(recipient["recipient"], "requests")
        assert page.has_row(**{counted: recipient["requests"]})
        for category in recipient["categories"]:
            for value in category["values"]:
                assert page.has_row(value=" ".join(value["value"].split()), count=value["count"])
    charts = [a for t, a in page.tags if t == "svg" and a.get("role") == "img"]
    assert len(charts) == len(data["recipients"])
    _screenshot_and_pdf(browser, tmp_path, page_file)


def _counted(recipient: str, requests: str) -> str:
    """The heading of a recipient's count: the CT logs get nothing from a host (the CA
    publishes the names of the orders it finalized)."""
    if recipient == classify.CT_RECIPIENT:
        return "Finalized orders whose names the CA publishes"
    return requests


def test_the_art30_record_of_real_runs_loads_and_prints_with_a_signature_block(
    certbot: CertbotRunner, target: CertbotTarget, browser: str, tmp_path: Path
) -> None:
    """export --art30 --format html: clean load, the JSON record's recipients and counts,
    the sections (a) to (g), dated, a signature block, A4 pages."""
    log = _issued_log(certbot)
    data: Dict[str, Any] = json.loads(
        _tool(target, "export", "--art30", "--format", "json", str(log))
    )
    page_file = tmp_path / "art30.html"
    page_file.write_text(
        _tool(
            target,
            "export",
            "--art30",
            "--format",
            "html",
            "--controller-name",
            "Example Ltd",
            str(log),
        ),
        encoding="utf-8",
    )
    page = _load(browser, tmp_path, page_file)
    for section in "abcdefg":
        assert f"Art. 30(1)({section})" in page.text
    for recipient in data["recipients"]:
        assert recipient["name"] in page.text
        assert f"{_counted(recipient['recipient'], 'Requests')} {recipient['requests']} " in (
            page.text
        )
    assert "Example Ltd" in page.text and "Signature" in page.text
    # The page was made a moment after the JSON: past midnight UTC, on the next day.
    day = datetime.date.fromisoformat(data["generated"][:10])
    assert any(f"generated on {d}" in page.text for d in (day, day + datetime.timedelta(days=1)))
    _screenshot_and_pdf(browser, tmp_path, page_file)


def test_hostile_values_stay_text_in_the_browser(browser: str, tmp_path: Path) -> None:
    """The hostile corpus through the report: the browser's DOM has only the page's own
    elements (no injected script, image or link), no console message, every value shown."""
    from certbot_privacy._internal.audit import cli

    hosts, journal = hostile_fleet(tmp_path / "in")
    page_file = tmp_path / "hostile.html"
    for argv in (["report"], ["export", "--art30"]):
        out = tmp_path / "out.html"
        with out.open("w", encoding="utf-8") as handle, pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stdout", handle)
            assert cli.main([*argv, "--format", "html", str(hosts), str(journal)]) == 0
        out.replace(page_file)
        page = _load(browser, tmp_path, page_file)
        assert {tag for tag, _ in page.tags} <= ELEMENTS
        assert not [a for t, a in page.tags for n in a if n.startswith("on") or n == "src"]
        assert "<script>alert(1)</script>" in page.text
        assert HOSTILE[16] in page.text


def test_the_policy_is_enforced_and_the_check_sees_a_violation(
    browser: str, tmp_path: Path
) -> None:
    """A page of ours with a script and an external image added: the browser refuses both
    and says so on the console (what the other tests assert never happens)."""
    from certbot_privacy._internal.audit.formats import html

    page = html.page("t", "2024-05-01T00:00:00.000Z", [], "report").replace(
        "<main>",
        '<main><img src="https://evil.example/x.png"><script>document.title="ran"</script>',
    )
    page_file = tmp_path / "violating.html"
    page_file.write_text(page, encoding="utf-8")
    done = run_chromium(browser, tmp_path, "--dump-dom", page_file.as_uri())
    messages = "\n".join(console_messages(done.stderr))
    assert "Content Security Policy" in messages and "evil.example" in messages
    assert "script" in messages and "<title>ran</title>" not in done.stdout
