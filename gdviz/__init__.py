"""gdviz: see why gradient descent works. Gradient ascent on F is Euler's method on x' = F'(x)."""

__version__ = "0.1.0"
