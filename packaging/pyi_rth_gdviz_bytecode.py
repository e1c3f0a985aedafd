"""PyInstaller runtime hook: cache the bytecode of the modules shipped as .py files (sympy).

gdviz.spec ships sympy as source files (gdviz's integration time limit recognises sympy's frames
by their file names, which archived modules lack). PyInstaller's bootloader turns bytecode
writing off, so every start would compile sympy again (about 2 s); this turns it back on, with
the cache in the user's cache folder, so the app folder itself is never written to (it may be
read-only) and only the first start pays.
"""
import os
import sys


def _cache_home() -> str:
    if sys.platform == "win32":
        return os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches")
    value = os.environ.get("XDG_CACHE_HOME", "")
    return value if os.path.isabs(value) else os.path.expanduser("~/.cache")


sys.pycache_prefix = os.path.join(_cache_home(), "gdviz", "pycache")
sys.dont_write_bytecode = False
