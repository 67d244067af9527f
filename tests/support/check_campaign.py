"""Check the campaign index a real run of the vendor 3-node sequence left (scripts/vendor3-sequence:
test_upgrade, apply --limit node1, apply), and render its page in headless Chromium.

    python tests/support/check_campaign.py REPORT_DIR SCREENSHOT

REPORT_DIR is the sequence's apigw_report_dir on a fresh lab. Asserts, from index.json: the three
runs in order, each passed, the second limited to the first Admin Node Manager; every node applied;
no next command; every timed phase with a log that exists. Then from the DOM the browser built:
one timeline bar per timed phase, each in its host's lane, linked to that phase's log. Writes the
screenshot (tests/output/campaign/ by the callers' convention) and prints one line per run.
scripts/controllers runs it after each ansible-core version's sequence. Exits non-zero on failure.
"""
import json
import sys
from pathlib import Path

from lxml import html

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import png_size, render_in_chromium  # noqa: E402  pylint: disable=wrong-import-position

NODES = ("node1", "node2", "node3")


def check_index(root):
    index = json.loads((root / "index.json").read_text())
    runs = index["runs"]
    assert [r["playbook"] for r in runs] == ["test_upgrade", "apply", "apply"], runs
    assert [r["outcome"] for r in runs] == ["passed"] * 3, runs
    assert runs[1]["limit"] == [index["domain"]["first_anm"]] == ["node1"], runs[1]
    assert all((root / r["report"]).is_file() for r in runs), runs
    assert {h: n["state"] for h, n in index["nodes"].items()} == dict.fromkeys(NODES, "applied"), index["nodes"]
    assert index["next_command"] is None, index["next_command"]
    timed = [p for p in index["phases"] if p["start"] and p["end"]]
    for host in NODES:
        seen = {p["phase"] for p in timed if p["host"] == host}
        assert {"PREFLIGHT", "EXPORT", "UPGRADE", "APPLY", "VERIFY"} <= seen, (host, sorted(seen))
    for phase in timed:
        assert phase["seconds"] is not None and phase["seconds"] >= 0, phase
        assert phase["log"] and (root / phase["log"]).is_file(), phase
    return index, timed


def check_page(root, timed, screenshot):
    dom = html.fromstring(render_in_chromium(root / "index.html", screenshot, size=(1280, 1100)))
    bars = [r for r in dom.xpath("//svg//rect") if "bar" in (r.get("class") or "").split()]
    assert len(bars) == len(timed), "%d bars for %d timed phases" % (len(bars), len(timed))
    for host in NODES:
        want = sorted((p["run"], p["phase"]) for p in timed if p["host"] == host)
        got = sorted((b.get("data-run"), b.get("data-phase")) for b in bars if b.get("data-host") == host)
        assert got == want, (host, got, want)
    for rect in bars:
        link = rect.getparent()
        assert link.tag == "a" and (root / link.get("href")).is_file(), html.tostring(rect)
    assert png_size(screenshot)[0] == 1280
    return bars


def main(root, screenshot):
    index, timed = check_index(root)
    bars = check_page(root, timed, screenshot)
    for run in index["runs"]:
        limit = ",".join(run["limit"] or ["all nodes"])
        print("campaign: %-12s %-7s %5.0f s  %s" % (run["playbook"], run["outcome"], run["seconds"], limit))
    print("campaign: %d runs, every node applied, %d timeline bars each linked to its log; screenshot %s"
          % (len(index["runs"]), len(bars), screenshot))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
