"""The names of the step methods the flow tab offers (issue 14, §2), in the words each place uses.

No numpy, sympy or Qt: the scene, the command line and the window's combo box read these at start-up;
the maths is in gdviz.model.integrators.
"""
from __future__ import annotations

METHOD_NAMES = ("euler", "implicit-euler", "heun", "rk4", "newton")

# The combo box's entries: what each method is, read as an optimizer.
METHOD_TITLES = {
    "euler": "Explicit Euler (gradient descent)",
    "implicit-euler": "Implicit Euler (proximal point)",
    "heun": "Heun",
    "rk4": "RK4",
    "newton": "Newton (h = 1: Newton's method)",
}

# In sentences: "RK4 contracts while ...", legends "RK4 xₙ".
METHOD_SHORT = {"euler": "Euler", "implicit-euler": "implicit Euler", "heun": "Heun", "rk4": "RK4",
                "newton": "Newton"}

# How each step's size is chosen (gdviz.model.step_rules): fixed h is Euler's method itself.
STEP_RULES = ("fixed", "armijo", "exact", "bb")
STEP_RULE_TITLES = {"fixed": "Fixed h", "armijo": "Backtracking (Armijo)", "exact": "Exact line search",
                    "bb": "Barzilai–Borwein"}
