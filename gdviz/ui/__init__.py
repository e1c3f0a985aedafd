"""Qt widgets only: the main window, editor, parameter panel, the three canvases and the clock.
Widgets draw arrays from a SceneResult; they never do maths (that is the model, on the worker)."""
