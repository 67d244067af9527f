"""NEW/upgrade/bin/sysupgrade.py (apigw lab stand-in; see tests/lab/DESIGN.md "sysupgrade"), run by the shell
wrapper sysupgrade next to it."""
import os
import sys

INSTALL = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(INSTALL, "system", "lib", "lab"))

from apigw_lab import cli, paths  # noqa: E402

sys.exit(cli.main(paths.Install(INSTALL), sys.argv[1:]))
