"""The window's tabs, one page each (see base.py for the interface every page keeps).

Adding a tab: write its page module, then add it to PAGES below (and its name to
gdviz.model.views.TAB_VIEWS, which the command line, sessions and lessons read).
"""
from __future__ import annotations

from .base import Page, PageHost, PageJob
from .edge import EdgePage
from .flow import FlowPage
from .lab import LabPage
from .momentum import MomentumPage
from .noise import NoisePage
from .plane import PlanePage

# In tab order. The flow page comes first: the lab reads its scene and result.
PAGES: tuple[type[Page], ...] = (FlowPage, LabPage, PlanePage, MomentumPage, EdgePage, NoisePage)

__all__ = ["PAGES", "EdgePage", "FlowPage", "LabPage", "MomentumPage", "NoisePage", "Page", "PageHost", "PageJob",
           "PlanePage"]
