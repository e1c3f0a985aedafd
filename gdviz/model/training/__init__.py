"""Training a small network full batch and watching its sharpness: the edge of stability."""
from .models import DEFAULT_MODEL, MODELS, Model, dataset, model
from .run import (
                  OPTIMIZERS,
                  EdgeSummary,
                  TrainResult,
                  TrainRun,
                  TrainScene,
                  csv_text,
    describe_training,
                  evaluate_training,
                  summarize,
                  train,
)

__all__ = ["DEFAULT_MODEL", "MODELS", "OPTIMIZERS", "EdgeSummary", "Model", "TrainResult", "TrainRun", "TrainScene",
           "csv_text", "dataset", "describe_training", "evaluate_training", "model", "summarize", "train"]
