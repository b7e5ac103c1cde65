import sys
from pathlib import Path

# Lets the test modules import the desk (network_desk.py) and the unit tests' builders.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))
