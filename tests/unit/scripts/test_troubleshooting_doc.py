"""docs/troubleshooting.md is generated from the issue catalogue and kept current."""
from ansible_collections.apigw.sysupgrade.tests.unit.scripts.load_script import load

troubleshooting_doc = load("troubleshooting_doc")


def test_the_page_is_current():
    assert troubleshooting_doc.main(["--check"]) == 0, "run: python3 scripts/troubleshooting_doc.py"


def test_every_catalogue_entry_is_on_the_page_with_its_advice():
    page = troubleshooting_doc.PAGE.read_text()
    catalogue = troubleshooting_doc.load_catalogue()
    assert len(catalogue) >= 19
    for entry in catalogue:
        assert entry["title"] in page and entry["remediation"].replace("|", "\\|") in page, entry["id"]


def test_a_pattern_reads_as_the_message_it_matches():
    readable = troubleshooting_doc.readable
    assert readable(r"Group '.*' \(.*\) is inconsistent") == "`Group '...' (...) is inconsistent`"
    assert readable(r"RBAC permissions file has been modified|must be manually merged") == \
        "`RBAC permissions file has been modified` or `must be manually merged`"
    assert readable(r"Found duplicate '.*' (users|organizations) in KPS table") == \
        "`Found duplicate '...' users / organizations in KPS table`"


def test_a_stale_page_is_caught():
    catalogue = list(troubleshooting_doc.load_catalogue())
    changed = [dict(catalogue[0], remediation="something else")] + catalogue[1:]
    assert troubleshooting_doc.render(changed) != troubleshooting_doc.PAGE.read_text()
