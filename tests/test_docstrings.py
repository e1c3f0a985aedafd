"""The examples in gdviz's docstrings are run, so none of them can drift from what the code does
(issue 13, item 13: the package docstring's example had gone wrong under numpy 2)."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gdviz


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(gdviz.__path__, "gdviz."):
        if info.name.startswith("gdviz.ui") or info.name == "gdviz.__main__":
            continue                                   # Qt modules: no examples, and a window to build
        spec = importlib.util.find_spec(info.name)
        source = spec.loader.get_source(info.name) if spec and spec.loader else None
        if source and ">>>" in source:
            names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_there_are_examples_to_run():
    assert "gdviz.model" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) of {name} failed: run python -m doctest -v"
