"""scikit-learn on the data of benches/classification.rs: LogisticRegression
(defaults: L2, C=1, lbfgs), RandomForestClassifier(100 trees, n_jobs=2) and
GradientBoostingClassifier() (100 stages, depth 3) on 100,000 x 10 (ten
normal features, a binary logistic label, from the shared SplitMix64
generators). Times the fit (logistic: peer_timing's best
of 5; the tree ensembles, tens of seconds: one fit), and prints the
ratio to abstat's criterion estimate when `cargo bench --bench
classification` has been run."""

import time

import numpy as np
from peer_timing import python_seconds, rust_seconds
from common import det_normal, det_uniform
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

N, P = 100_000, 10


def data():
    x = np.column_stack([det_normal(11 + 2 * j, N) for j in range(P)])
    eta = -0.5 + x @ np.array([(j - 4) * 0.2 for j in range(P)])
    y = (det_uniform(103, N) < 1 / (1 + np.exp(-eta))).astype(int)
    return x, y


def main():
    x, y = data()
    rows = [
        ("logistic_1e5x10", "LogisticRegression()", lambda: LogisticRegression().fit(x, y), True),
        ("random_forest_100_1e5x10", "RandomForestClassifier(100, n_jobs=2)",
         lambda: RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(x, y),
         False),
        ("gradient_boosting_100_1e5x10", "GradientBoostingClassifier()",
         lambda: GradientBoostingClassifier(random_state=0).fit(x, y), False),
    ]
    for name, label, fn, repeat in rows:
        if repeat:
            py = python_seconds(fn)
        else:
            t = time.perf_counter()
            fn()
            py = time.perf_counter() - t
        rs = rust_seconds("classification", name)
        if rs is None:
            print(f"{name}: {label} {py:.3f} s (run cargo bench --bench classification for the ratio)")
        else:
            print(f"{name}: {label} {py:.3f} s, abstat {rs:.3f} s, ratio sklearn/abstat {py / rs:.2f}")


if __name__ == "__main__":
    main()
