import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))

from scenario_fixtures import lab, steps  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
