"""Shared test setup: Qt runs headless everywhere (CI has no display)."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
