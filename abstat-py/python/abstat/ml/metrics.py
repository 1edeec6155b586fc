"""Classification metrics with scikit-learn's names and results
(``sklearn.metrics``), for labels of any type (classes in sorted order)."""

from __future__ import annotations

import numpy as np

from abstat import _abstat

__all__ = [
    "accuracy_score",
    "balanced_accuracy_score",
    "precision_score",
    "recall_score",
    "f1_score",
    "confusion_matrix",
    "roc_auc_score",
    "log_loss",
]


def _encode(y_true, y_pred):
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"y_true and y_pred must be one-dimensional of equal length, got {t.shape} and {p.shape}")
    classes, codes = np.unique(np.concatenate([t, p]), return_inverse=True)
    return classes, codes[: len(t)].tolist(), codes[len(t):].tolist()


def accuracy_score(y_true, y_pred) -> float:
    """Share of labels predicted exactly."""
    _, t, p = _encode(y_true, y_pred)
    return _abstat.label_metric("accuracy", t, p)


def balanced_accuracy_score(y_true, y_pred) -> float:
    """Mean recall over the classes of ``y_true``."""
    _, t, p = _encode(y_true, y_pred)
    return _abstat.label_metric("balanced_accuracy", t, p)


def _prf(metric, y_true, y_pred, average, pos_label):
    classes, t, p = _encode(y_true, y_pred)
    code = None
    if average == "binary":
        hits = np.flatnonzero(classes == pos_label)
        if len(hits) == 0:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label: it should be one of {list(classes)}")
        code = int(hits[0])
    return _abstat.label_metric(metric, t, p, average=average, pos_label=code)


def precision_score(y_true, y_pred, *, pos_label=1, average="binary") -> float:
    """Precision ``tp / (tp + fp)`` (sklearn's averages 'binary', 'micro',
    'macro', 'weighted')."""
    return _prf("precision", y_true, y_pred, average, pos_label)


def recall_score(y_true, y_pred, *, pos_label=1, average="binary") -> float:
    """Recall ``tp / (tp + fn)``."""
    return _prf("recall", y_true, y_pred, average, pos_label)


def f1_score(y_true, y_pred, *, pos_label=1, average="binary") -> float:
    """F1, the harmonic mean of precision and recall."""
    return _prf("f1", y_true, y_pred, average, pos_label)


def confusion_matrix(y_true, y_pred) -> np.ndarray:
    """Counts with true classes by row and predicted by column, classes in
    sorted order."""
    _, t, p = _encode(y_true, y_pred)
    _, counts = _abstat.confusion(t, p)
    return np.asarray(counts, dtype=np.int64)


def roc_auc_score(y_true, y_score) -> float:
    """Binary ROC AUC; the larger label is the positive class."""
    classes, codes = np.unique(np.asarray(y_true), return_inverse=True)
    return _abstat.roc_auc_binary(codes.tolist(), np.asarray(y_score, dtype=np.float64))


def log_loss(y_true, y_pred) -> float:
    """Mean negative log-likelihood of ``y_true`` under the probability
    matrix ``y_pred`` (one column per class of ``y_true``, sorted; a 1-D
    ``y_pred`` is the positive-class probability)."""
    _, codes = np.unique(np.asarray(y_true), return_inverse=True)
    proba = np.asarray(y_pred, dtype=np.float64)
    if proba.ndim == 1:
        proba = np.column_stack([1.0 - proba, proba])
    return _abstat.log_loss_coded(codes.tolist(), proba)
