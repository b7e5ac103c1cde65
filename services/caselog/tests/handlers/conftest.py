import sys
from pathlib import Path

import pytest

# The handler tests share the desk below and the unit tests' builders.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))

from caselog_desk import Desk


@pytest.fixture
def desk() -> Desk:
    return Desk.empty()
