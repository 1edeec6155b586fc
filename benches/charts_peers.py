"""numpy/scipy/sklearn + matplotlib on the data of benches/charts.rs (the
sample of examples/sample/mod.rs, 1,000,000 and 10,000,000 users): for each
chart kind with a direct Python peer, compute the same summary and save a
1280x800 PNG, then print the ratio to abstat's criterion estimate (run
`cargo bench --bench charts` first). The peers summarise as Python users
do: np.histogram + scipy gaussian_kde (exact, O(n·points)), plt.boxplot,
plt.hexbin + linregress, np.corrcoef + imshow, scipy probplot, sklearn
roc_curve + roc_auc_score.

At 1M each peer is timed as the other benches' peers (best of 5 repeats);
at 10M a single call is timed (the exact KDE alone takes tens of seconds).
Pass `1e6` or `1e7` to run one size only."""

import io
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from peer_timing import common, report, rust_seconds  # noqa: E402


def sample(n):
    """The raw columns of examples/sample/mod.rs `Sample::new`."""
    u = lambda seed: common.det_uniform(seed, n)  # noqa: E731
    variant = np.floor(u(1) * 3).astype(int)
    city = np.floor(u(3) ** 2 * 4).astype(int)
    sessions = np.maximum(common.det_normal(7, n, 6.0, 2.0), 0.5)
    noise = common.det_normal(9, n, 0.0, 0.5)
    minutes = np.maximum(3.0 * sessions + 4.0 * noise + 2.0, 0.1)
    lift = np.array([1.0, 1.03, 0.99])[variant]
    mult = np.array([1.25, 1.1, 0.9, 0.8])[city]
    revenue = (np.exp(common.det_normal(11, n, 6.5, 0.5)) + 40.0 * sessions) * lift * mult
    logit = -4.0 + 0.35 * sessions + 0.05 * minutes + np.array([0.0, 0.12, 0.05])[variant]
    converted = u(13) < 1.0 / (1.0 + np.exp(-logit))
    # abstat's sample scores rows with a logistic fit on 50,000 rows; the
    # same model form here (sklearn), scored on every row
    from sklearn.linear_model import LogisticRegression

    feats = np.column_stack([sessions, minutes, revenue / 1000.0])
    m = min(n, 50_000)
    score = LogisticRegression().fit(feats[:m], converted[:m]).predict_proba(feats)[:, 1]
    return dict(variant=variant, city=city, sessions=sessions, minutes=minutes, revenue=revenue,
                converted=converted, score=score)


def save(fig):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def figure():
    return plt.subplots(figsize=(12.8, 8.0))


def histogram(d):
    x = d["revenue"]
    fig, ax = figure()
    counts, edges = np.histogram(x, bins="auto", density=True)
    ax.stairs(counts, edges, fill=True)
    kde = stats.gaussian_kde(x)
    grid = np.linspace(x.min(), x.max(), 200)
    ax.plot(grid, kde(grid))
    return save(fig)


def box_plot(d):
    fig, ax = figure()
    ax.boxplot([d["revenue"][d["city"] == c] for c in range(4)])
    return save(fig)


def scatter(d):
    fig, ax = figure()
    x, y = d["sessions"], d["minutes"]
    ax.hexbin(x, y, gridsize=80, bins="log")
    fit = stats.linregress(x, y)
    ax.plot([x.min(), x.max()], [fit.intercept + fit.slope * x.min(), fit.intercept + fit.slope * x.max()])
    return save(fig)


def heatmap(d):
    fig, ax = figure()
    r = np.corrcoef(np.vstack([d["revenue"], d["sessions"], d["minutes"]]))
    ax.imshow(r, vmin=-1, vmax=1)
    for i in range(3):
        for j in range(3):
            ax.text(j, i, f"{r[i, j]:.2f}", ha="center", va="center")
    return save(fig)


def qq(d):
    fig, ax = figure()
    stats.probplot(d["sessions"], dist="norm", plot=ax)
    return save(fig)


def distributions(d):
    fig, ax = figure()
    a, b = d["revenue"][d["variant"] == 0], d["revenue"][d["variant"] == 1]
    edges = np.histogram_bin_edges(np.concatenate([a, b]), bins="auto")
    for x in (a, b):
        ax.hist(x, bins=edges, density=True, alpha=0.3)
        grid = np.linspace(x.min(), x.max(), 200)
        ax.plot(grid, stats.gaussian_kde(x)(grid))
    return save(fig)


def roc(d):
    from sklearn.metrics import roc_auc_score, roc_curve

    fig, ax = figure()
    fpr, tpr, _ = roc_curve(d["converted"], d["score"])
    auc = roc_auc_score(d["converted"], d["score"])
    ax.plot(fpr, tpr, label=f"AUC {auc:.3f}")
    return save(fig)


PEERS = [
    ("histogram", "np.histogram + gaussian_kde + mpl", histogram),
    ("box_plot", "matplotlib boxplot", box_plot),
    ("scatter", "matplotlib hexbin + linregress", scatter),
    ("heatmap", "np.corrcoef + imshow", heatmap),
    ("qq", "scipy probplot + mpl", qq),
    ("distributions", "2x (hist + gaussian_kde) + mpl", distributions),
    ("roc", "sklearn roc_curve + auc + mpl", roc),
]


def once(group, tag, d):
    """One timed call per peer (for sizes where repeats take minutes)."""
    print(f"{'benchmark':42} {'peer':34} {'python':>11} {'rust':>11} {'speed-up':>9}")
    for kind, label, f in PEERS:
        t0 = time.perf_counter()
        f(d)
        py = time.perf_counter() - t0
        name = f"{kind}_{tag}"
        rs = rust_seconds(group, name)
        rs_txt = f"{rs * 1e6:9.1f}us" if rs else "    (none)"
        ratio = f"{py / rs:8.1f}x" if rs else "        -"
        print(f"{group + '/' + name:42} {label:34} {py * 1e6:9.1f}us {rs_txt} {ratio}", flush=True)


def main():
    sizes = sys.argv[1:] or ["1e6", "1e7"]
    if "1e6" in sizes:
        d = sample(1_000_000)
        report("charts", [(f"{k}_1e6", label, (lambda f=f: f(d))) for k, label, f in PEERS])
    if "1e7" in sizes:
        once("charts", "1e7", sample(10_000_000))


if __name__ == "__main__":
    main()
