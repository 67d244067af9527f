"""INSTALL/posix/bin/nodemanager.py (apigw lab stand-in; see tests/lab/DESIGN.md "Processes"), run by the shell
wrapper nodemanager next to it."""
import os
import sys

INSTALL = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(INSTALL, "system", "lib", "lab"))

from apigw_lab import paths, process_cli  # noqa: E402

sys.exit(process_cli.nodemanager_main(paths.Install(INSTALL), sys.argv[1:]))
