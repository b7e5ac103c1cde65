import os
import sys
from pathlib import Path

import pytest

# The handler tests share the desk below and the unit tests' command builders.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))

from enrollment_desk import Desk


@pytest.fixture
def desk() -> Desk:
    return Desk.empty(master_key=os.urandom(32))
