import sys
from pathlib import Path

# Lets the test modules import the shared history builders in consent_scenarios.py.
sys.path.insert(0, str(Path(__file__).parent))
