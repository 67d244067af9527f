"""The execution environment definition (execution-environment.yml, ee-requirements.yml) installs
this very collection, at galaxy.yml's version, from the tarball ansible-galaxy builds, next to a
pinned awx.awx; and the collection's own meta/execution-environment.yml names a requirements file
the artifact carries (scripts/check-awx and scripts/check-build run ansible-builder on them)."""
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def load(name):
    return yaml.safe_load((REPO / name).read_text())


def test_the_ee_installs_the_built_tarball_of_this_version():
    galaxy = load("galaxy.yml")
    ee = load("execution-environment.yml")
    assert ee["dependencies"]["galaxy"] == "ee-requirements.yml"
    [copied] = ee["additional_build_files"]
    assert copied == {"src": "dist/apigw-sysupgrade-*.tar.gz", "dest": "collections"}
    collections = load("ee-requirements.yml")["collections"]
    files = [c for c in collections if c.get("type") == "file"]
    assert files == [{"name": "collections/%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"]),
                      "type": "file"}], files
    # every other collection is pinned, so that two builds of the image are the same
    others = [c for c in collections if c.get("type") != "file"]
    assert others and all(c.get("version") for c in others), others


def test_the_ee_pins_every_package_it_installs_with_pip():
    deps = load("execution-environment.yml")["dependencies"]
    assert "==" in deps["ansible_core"]["package_pip"] and "==" in deps["ansible_runner"]["package_pip"]
    assert all("==" in package for package in deps["python"]), deps["python"]


def test_the_collection_names_its_python_needs_in_a_file_it_ships():
    meta = load("meta/execution-environment.yml")
    named = meta["dependencies"]["python"]
    assert isinstance(named, str), "ansible-builder reads a collection's Python needs from a requirements file"
    lines = [l.split("#")[0].strip() for l in (REPO / named).read_text().splitlines()]
    packages = sorted(l.split(">")[0].split("=")[0] for l in lines if l)
    assert packages == ["jinja2", "lxml"], packages
    ignored = load("galaxy.yml")["build_ignore"]
    assert named not in ignored and named.split("/")[0] not in ignored, "the artifact must carry %s" % named
