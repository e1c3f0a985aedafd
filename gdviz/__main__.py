"""`python -m gdviz` runs the same entry point as the `gdviz` command."""
import sys

from .app import main

sys.exit(main())
