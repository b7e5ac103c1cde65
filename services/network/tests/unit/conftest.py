import sys
from pathlib import Path

# Lets the test modules import the shared builders in network_builders.py.
sys.path.insert(0, str(Path(__file__).parent))
