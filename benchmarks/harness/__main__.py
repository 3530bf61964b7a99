"""python3 -m harness ...: see harness.cli."""
import sys

from harness import cli

sys.exit(cli.main(sys.argv[1:]))
