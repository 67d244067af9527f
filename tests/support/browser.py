"""Headless Chromium for the tests that look at a report page as people do: shared by the molecule
scenarios' verify checks (extensions/molecule/shared/verify_helpers.py) and the unit gate's page
tests (tests/unit/plugins/plugin_utils/test_campaign_page_browser.py). Standard library only.

Chromium is Debian's package (scripts/bootstrap installs it).
"""
import subprocess
import tempfile

# No network: background services and component updates are off, so Chromium makes no connection
# of its own (the machine has no route out).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium(args, size, text=False):
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(["chromium"] + FLAGS + ["--window-size=%d,%d" % size, "--user-data-dir=" + profile] + args,
                              check=True, capture_output=True, text=text, timeout=120)


def render_in_chromium(page, screenshot, size=(1280, 900)):
    """Load PAGE (a file) in headless Chromium: save a SIZE screenshot to SCREENSHOT and return the
    DOM as the browser built it (--dump-dom: after parsing, styles and SVG layout)."""
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    if screenshot.exists():
        screenshot.unlink()
    url = page.resolve().as_uri()
    _chromium(["--screenshot=" + str(screenshot), url], size)
    dom = _chromium(["--dump-dom", url], size, text=True).stdout
    assert screenshot.is_file(), "Chromium wrote no screenshot"
    return dom


def png_size(path):
    """(width, height) of a PNG file, from its IHDR chunk."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
