"""scikit-learn-style classifiers backed by abstat's Rust models.

Constructors only store settings (sklearn's rule); ``fit(X, y)`` accepts any
labels (numbers or strings) and keeps them in ``classes_``; ``predict``,
``predict_proba`` (where the model has probabilities), ``score`` (accuracy),
``get_params`` / ``set_params`` behave as in scikit-learn. Features must be
numeric without missing values (impute first).

The models are abstat's own implementations (see ``abstat_core::classification``),
checked against scikit-learn by cross-validated accuracy rather than
identical predictions: results are close to, not equal to, sklearn's.
"""

from __future__ import annotations

import inspect
import json

import numpy as np

from abstat import _abstat
from abstat.ml import metrics

__all__ = [
    "LogisticRegression",
    "GaussianNB",
    "DecisionTreeClassifier",
    "RandomForestClassifier",
    "KNeighborsClassifier",
    "GradientBoostingClassifier",
    "LinearSVC",
    "metrics",
]


class _Classifier:
    _kind = ""

    def _core_params(self) -> dict:
        raise NotImplementedError

    @classmethod
    def _param_names(cls):
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep=True) -> dict:
        """The constructor's settings, as scikit-learn's ``get_params``."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Change settings; returns self."""
        for k, v in params.items():
            if k not in self._param_names():
                raise ValueError(f"invalid parameter {k!r} for {type(self).__name__}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def fit(self, X, y):
        """Fit on features ``X`` (n × p) and labels ``y``; returns self."""
        X = _features(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != X.shape[0]:
            raise ValueError(f"y must be one-dimensional with {X.shape[0]} labels, got shape {y.shape}")
        self.classes_, codes = _encode_labels(y)
        self.n_features_in_ = X.shape[1]
        self._native = _abstat.classifier_fit(
            self._kind, json.dumps(self._core_params()), X, codes.astype(np.int64, copy=False), len(self.classes_)
        )
        return self

    def _fitted(self):
        if not hasattr(self, "_native"):
            raise AttributeError(f"This {type(self).__name__} instance is not fitted yet: call fit first")
        return self._native

    def predict(self, X):
        """Predicted labels."""
        native = self._fitted()
        return self.classes_[native.predict(_features(X))]

    def score(self, X, y) -> float:
        """Accuracy on ``X``, ``y``."""
        return metrics.accuracy_score(y, self.predict(X))


class _ProbaClassifier(_Classifier):
    def predict_proba(self, X):
        """Class probabilities, one column per class in ``classes_`` order."""
        return self._fitted().scores(_features(X))


def _encode_labels(y):
    """``np.unique(y, return_inverse=True)`` of one-dimensional labels.

    Integer labels over a range no wider than about twice their count (0/1
    outcomes, class codes) are counted with ``np.bincount`` instead of
    sorted: ~45 us instead of ~570 us for 20 000 labels, a fifth of a
    logistic regression fit. Anything else goes to ``np.unique``."""
    if y.dtype.kind in "iu" and y.size:
        lo, hi = int(y.min()), int(y.max())
        span = hi - lo
        bounds = np.iinfo(np.intp)
        if span <= 2 * y.size + 1024 and bounds.min <= lo and hi <= bounds.max:
            held = y.astype(np.intp, copy=False)
            shifted = held - lo if lo else held
            present = np.flatnonzero(np.bincount(shifted, minlength=span + 1))
            classes = (present + lo).astype(y.dtype)
            if len(present) == span + 1:
                return classes, shifted
            lookup = np.zeros(span + 1, dtype=np.intp)
            lookup[present] = np.arange(len(present))
            return classes, lookup[shifted]
    return np.unique(y, return_inverse=True)


def _features(X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be two-dimensional (n_samples, n_features), got {X.ndim} dimensions")
    return X


def _seed(random_state):
    if random_state is None:
        return 0
    if not isinstance(random_state, (int, np.integer)):
        raise ValueError("random_state must be None or an integer seed")
    return int(random_state)


def _depth(v):
    return None if v is None else int(v)


class _Linear:
    """``coef_`` and ``intercept_`` of a fitted linear model, as
    scikit-learn's: one row (and intercept) for two classes, one per class
    for more."""

    @property
    def coef_(self):
        """Weights, ``(1, n_features)`` for two classes, else
        ``(n_classes, n_features)``."""
        return self._fitted().coefficients()[0]

    @property
    def intercept_(self):
        """Intercepts, ``(1,)`` for two classes, else ``(n_classes,)``."""
        return self._fitted().coefficients()[1]


class LogisticRegression(_Linear, _ProbaClassifier):
    """L2-regularised (multinomial) logistic regression, as
    ``sklearn.linear_model.LogisticRegression`` (lbfgs): the same penalised
    objective, minimised by Newton's method for two classes (L-BFGS for
    more)."""

    _kind = "logistic"

    def __init__(self, C=1.0, tol=1e-4, max_iter=100):
        self.C, self.tol, self.max_iter = C, tol, max_iter

    def _core_params(self):
        return {"c": float(self.C), "tol": float(self.tol), "max_iter": int(self.max_iter)}


class GaussianNB(_ProbaClassifier):
    """Gaussian naive Bayes, as ``sklearn.naive_bayes.GaussianNB``."""

    _kind = "gaussian_nb"

    def __init__(self, var_smoothing=1e-9):
        self.var_smoothing = var_smoothing

    def _core_params(self):
        return {"var_smoothing": float(self.var_smoothing)}


class DecisionTreeClassifier(_ProbaClassifier):
    """CART decision tree, as ``sklearn.tree.DecisionTreeClassifier``."""

    _kind = "tree"

    def __init__(self, criterion="gini", max_depth=None, min_samples_split=2, min_samples_leaf=1, max_features=None,
                 random_state=None):
        self.criterion, self.max_depth = criterion, max_depth
        self.min_samples_split, self.min_samples_leaf = min_samples_split, min_samples_leaf
        self.max_features, self.random_state = max_features, random_state

    def _core_params(self):
        return {
            "criterion": self.criterion,
            "max_depth": _depth(self.max_depth),
            "min_samples_split": int(self.min_samples_split),
            "min_samples_leaf": int(self.min_samples_leaf),
            "max_features": _depth(self.max_features),
            "seed": _seed(self.random_state),
        }


class RandomForestClassifier(_ProbaClassifier):
    """Random forest, as ``sklearn.ensemble.RandomForestClassifier``
    (``max_features=None`` uses √p per split, sklearn's 'sqrt')."""

    _kind = "forest"

    def __init__(self, n_estimators=100, criterion="gini", max_depth=None, max_features=None, bootstrap=True,
                 random_state=None):
        self.n_estimators, self.criterion, self.max_depth = n_estimators, criterion, max_depth
        self.max_features, self.bootstrap, self.random_state = max_features, bootstrap, random_state

    def _core_params(self):
        return {
            "n_trees": int(self.n_estimators),
            "criterion": self.criterion,
            "max_depth": _depth(self.max_depth),
            "max_features": _depth(self.max_features),
            "bootstrap": bool(self.bootstrap),
            "seed": _seed(self.random_state),
        }


class KNeighborsClassifier(_ProbaClassifier):
    """k-nearest neighbours (Euclidean, uniform weights), as
    ``sklearn.neighbors.KNeighborsClassifier``."""

    _kind = "knn"

    def __init__(self, n_neighbors=5):
        self.n_neighbors = n_neighbors

    def _core_params(self):
        return {"k": int(self.n_neighbors)}


class GradientBoostingClassifier(_ProbaClassifier):
    """Gradient-boosted trees (log loss), as
    ``sklearn.ensemble.GradientBoostingClassifier``."""

    _kind = "boosting"

    def __init__(self, n_estimators=100, learning_rate=0.1, max_depth=3):
        self.n_estimators, self.learning_rate, self.max_depth = n_estimators, learning_rate, max_depth

    def _core_params(self):
        return {"n_trees": int(self.n_estimators), "learning_rate": float(self.learning_rate),
                "max_depth": int(self.max_depth)}


class LinearSVC(_Linear, _Classifier):
    """Linear support vector classifier (hinge loss), as
    ``sklearn.svm.LinearSVC``; no probabilities, ``decision_function``
    gives the class scores."""

    _kind = "linear_svm"

    def __init__(self, C=1.0, tol=1e-4, max_iter=1000, random_state=None):
        self.C, self.tol, self.max_iter, self.random_state = C, tol, max_iter, random_state

    def _core_params(self):
        return {"c": float(self.C), "tol": float(self.tol), "max_iter": int(self.max_iter),
                "seed": _seed(self.random_state)}

    def decision_function(self, X):
        """Decision values, one column per class."""
        return self._fitted().scores(_features(X))
