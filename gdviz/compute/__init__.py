"""The bridge between the window and the model: a worker thread that turns Scenes into results."""
