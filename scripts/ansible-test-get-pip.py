"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test builds its sanity venvs with ``python get_pip_<version>.py [pip options] PACKAGES``,
downloading that script from a site this machine cannot reach (see
../shared/spec/lab-recipe.md). It reuses a cached copy when one exists, so scripts/bootstrap
installs this file there. It does what get-pip does, with the tools Python ships: ensurepip, then
``pip install`` of the packages asked for (from the package index this machine can reach).
"""
import subprocess
import sys

# get-pip options with no `pip install` equivalent; they only say what not to add.
GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}


def main(argv):
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    args = [a for a in argv if a not in GET_PIP_ONLY]
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)


if __name__ == "__main__":
    main(sys.argv[1:])
