"""Load one of the repository's scripts/*.py as a module, for its tests (scripts/ is no package)."""
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / ("%s.py" % name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
