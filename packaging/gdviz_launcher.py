"""PyInstaller's entry script: the frozen app runs the same main() as the `gdviz` command.

A script rather than gdviz/__main__.py because PyInstaller runs its entry point as __main__,
outside the package, where __main__.py's relative import would fail.
"""
import sys

from gdviz.app import main

if __name__ == "__main__":
    sys.exit(main())
