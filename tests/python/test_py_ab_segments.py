"""abstat.ab segments (``analyze(..., segment=...)``) against the fixture
of abstat-core/tests/ab_segments.rs: GrowthBook gbstats 0.8.0 per segment,
statsmodels ``multipletests`` over the segments × treatments × metrics
family and gbstats ``check_srm`` per segment, with the segments formed by
pandas (scripts/fixtures/gen_ab_segments.py). Same tolerances as the Rust
test: effects and adjusted p-values 1e-8 relative (gbstats runs the same
formulas on the same sums; what remains is summation order and the t
quantile), p-values also 1e-15 absolute (gbstats' 1 − cdf against the
survival function, times m after the correction), SRM p-values 1e-10."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from abstat import ab

FIXTURE = Path(__file__).resolve().parents[2] / "abstat-core" / "tests" / "fixtures" / "ab_segments.json"
CASES = json.loads(FIXTURE.read_text())["cases"]
CORRECTIONS = {None: None, "holm": "holm", "bonferroni": "bonferroni", "benjamini-hochberg": "fdr_bh"}
METRICS = [
    ab.Metric("y", name="revenue"),
    ab.Metric("c", "proportion", name="conversion"),
    ab.Metric("y", "ratio", name="revenue per session", denominator="d"),
    ab.Metric("y", "cuped", name="revenue (CUPED)", covariate="x"),
]
P_ATOL = 1e-15


def close(got, want, rtol, atol, what):
    assert got is not None, what
    assert abs(got - want) <= atol + rtol * abs(want), f"{what}: {got!r} != {want!r}"


def frame(c):
    d = c["data"]
    return pd.DataFrame(
        {
            "dimension": pd.Series(d["dimension"], dtype=object),
            "variant": d["variant"],
            **{k: np.asarray(d[k], dtype=float) for k in ("y", "x", "d", "c")},
        }
    )


def run(c, data=None, **extra):
    return ab.analyze(
        frame(c) if data is None else data,
        "variant",
        METRICS,
        segment="dimension",
        top=c["top"],
        min_segment_units=c["min_segment_units"],
        weights=c["weights"],
        correction=CORRECTIONS[c["correction"]],
        sequential_tuning=c["tuning"],
        **extra,
    )


def check_effect(got, want, what):
    for key, atol in (("estimate", 0.0), ("std_error", 0.0), ("p_value", P_ATOL)):
        close(got[key], want[key], 1e-8, atol, f"{what} {key}")
    close(got["ci"]["lower"], want["ci"][0], 1e-8, 0.0, f"{what} ci lower")
    close(got["ci"]["upper"], want["ci"][1], 1e-8, 0.0, f"{what} ci upper")


def check_part(res, want, bonferroni, what):
    """One analysed part (a segment or the whole) against the generator's."""
    raw = res.raw
    assert raw["srm"]["observed"] == want["units"], what
    close(raw["srm"]["p_value"], want["srm_p_value"], 1e-10, 1e-300, f"{what} SRM")
    mismatch = raw["srm"]["p_value"] < raw["srm"]["threshold"]
    for cell in want["cells"]:
        metric, v = cell["metric"], cell["variant"]
        cw = f"{what} {metric} v{v}"
        m = next(m for m in raw["metrics"] if m["name"] == metric)
        t = m["treatments"][v - 1]
        assert t["variant"] == v
        verdict = res.verdicts[metric][str(v)]
        if "absolute" not in cell:
            assert t["comparison"] is None, cw
            assert t["adjusted_p_value"] is None, cw  # NaN, which JSON carries as None
            assert verdict in ("not_enough_data", "sample_ratio_mismatch"), cw
            continue
        check_effect(t["comparison"]["absolute"], cell["absolute"], f"{cw} absolute")
        check_effect(t["comparison"]["relative"], cell["relative"], f"{cw} relative")
        atol = P_ATOL * raw["comparisons"]
        close(t["adjusted_p_value"], cell["absolute_adjusted_p"], 1e-8, atol, f"{cw} adjusted p")
        close(t["adjusted_relative_p_value"], cell["relative_adjusted_p"], 1e-8, atol, f"{cw} adjusted relative p")
        if bonferroni:
            for key, field in (("absolute_bonferroni_ci", "adjusted_ci"), ("relative_bonferroni_ci", "adjusted_relative_ci")):
                close(t[field]["lower"], cell[key][0], 1e-8, 0.0, f"{cw} {key} lower")
                close(t[field]["upper"], cell[key][1], 1e-8, 0.0, f"{cw} {key} upper")
        else:
            assert t["adjusted_ci"] is None, cw
        if mismatch:
            expected = "sample_ratio_mismatch"
        elif cell["absolute_adjusted_p"] <= 0.05:
            expected = "significant_win" if cell["absolute"]["estimate"] > 0 else "significant_loss"
        else:
            expected = "inconclusive"
        assert verdict == expected, cw


@pytest.mark.parametrize("c", CASES, ids=[c["name"] for c in CASES])
def test_segments_match_gbstats_and_statsmodels(c):
    r = run(c)
    assert isinstance(r, ab.SegmentedResult)
    bonferroni = c["correction"] == "bonferroni"
    want = c["segments"]
    assert [s.name for s in r.segments] == [w["name"] for w in want]
    assert r.family["comparisons"] == c["family_comparisons"]
    assert r.family["segments"] == len(want)
    assert r.family["metrics"] == len(METRICS)
    for s, w in zip(r.segments, want):
        what = f"{c['name']} segment {s.name}"
        assert s.kind == w["kind"], what
        assert s.values == w["values"], what
        assert s.units == w["units"], what
        assert s.result.raw["comparisons"] == c["family_comparisons"], what
        check_part(s.result, w, bonferroni, what)
    assert r.overall.raw["comparisons"] == c["overall"]["comparisons"]
    check_part(r.overall, c["overall"], bonferroni, f"{c['name']} overall")


def same_numbers(a, b, rtol, path="result"):
    """Nested results equal, floats to rtol."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            same_numbers(a[k], b[k], rtol, f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            same_numbers(x, y, rtol, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        close(a, b, rtol, 0.0, path)
    else:
        assert a == b, path


def test_overall_equals_the_unsegmented_analysis():
    # The whole adds up the per-value sums, the plain analysis sums the rows
    # at once: equal up to summation order (1e-10 relative).
    c = CASES[0]
    r = run(c)
    plain = ab.analyze(frame(c), "variant", METRICS, weights=c["weights"], correction="holm")
    same_numbers(r.overall.raw, plain.raw, 1e-10)
    assert r.overall.verdicts == plain.verdicts


def test_missing_values_in_every_form_are_one_segment():
    # None, NaN, "" and blanks are all rows without a value: the same result
    # as the fixture's labels (None and "").
    c = CASES[0]
    data = frame(c)
    dim = data["dimension"].tolist()
    forms = [None, float("nan"), "", "  "]
    seen = 0
    for i, v in enumerate(dim):
        if v is None or not str(v).strip():
            dim[i] = forms[seen % len(forms)]
            seen += 1
    assert seen >= len(forms)
    data["dimension"] = pd.Series(dim, dtype=object)
    assert run(c, data).raw == run(c).raw


def test_numeric_and_categorical_dimensions():
    rng = np.random.default_rng(4)
    n = 3000
    variant = rng.integers(0, 2, n)
    y = rng.normal(10, 2, n) + 0.3 * variant
    plan = rng.choice([1, 2, 3], n, p=[0.5, 0.3, 0.2])
    as_int = ab.analyze({"v": variant, "y": y, "plan": plan}, "v", ["y"], segment="plan")
    as_float = ab.analyze({"v": variant, "y": y, "plan": plan.astype(float)}, "v", ["y"], segment="plan")
    as_str = ab.analyze({"v": variant, "y": y, "plan": plan.astype(str)}, "v", ["y"], segment="plan")
    cat = pd.DataFrame({"v": variant, "y": y, "plan": pd.Categorical(plan.astype(str))})
    as_cat = ab.analyze(cat, "v", ["y"], segment="plan")
    assert [s.name for s in as_int.segments] == ["1", "2", "3"]
    assert as_int.raw == as_float.raw == as_str.raw == as_cat.raw
    # NaN in a float column is a missing value
    with_nan = plan.astype(float)
    with_nan[:10] = np.nan
    r = ab.analyze({"v": variant, "y": y, "plan": with_nan}, "v", ["y"], segment="plan")
    assert r.segments[-1].kind == "missing" and sum(r.segments[-1].units) == 10


def test_top_and_min_segment_units_merge_into_other():
    rng = np.random.default_rng(5)
    n = 2000
    variant = rng.integers(0, 2, n)
    country = rng.choice(list("ABCDE"), n, p=[0.4, 0.3, 0.2, 0.07, 0.03])
    y = rng.normal(0, 1, n)
    data = {"v": variant, "y": y, "country": country}
    r = ab.analyze(data, "v", ["y"], segment="country", top=2)
    assert [(s.name, s.kind) for s in r.segments] == [("A", "value"), ("B", "value"), ("other", "other")]
    assert r.segment("other").values == ["C", "D", "E"]
    r = ab.analyze(data, "v", ["y"], segment="country", top=10, min_segment_units=100)
    # E (about 60 units) is below the minimum, D (about 140) is not
    assert [s.name for s in r.segments] == ["A", "B", "C", "D", "other"]
    assert r.segment("other").values == ["E"]
    df = r.to_pandas()
    assert list(df.columns[:4]) == ["segment", "segment_kind", "units", "srm_p_value"]
    assert len(df) == 5 and df["units"].sum() == n
    assert "<table" in r._repr_html_() and "SegmentedResult" in repr(r)
    with pytest.raises(KeyError):
        r.segment("Z")


def test_invalid_segment_options_are_value_errors():
    data = {"v": [0, 1] * 10, "y": np.arange(20.0), "s": ["a", "b"] * 10}
    with pytest.raises(ValueError, match="top"):
        ab.analyze(data, "v", ["y"], segment="s", top=0)
    with pytest.raises(KeyError):
        ab.analyze(data, "v", ["y"], segment="missing column")
    with pytest.raises(TypeError):
        ab.analyze(data, "v", ["y"], segment="s", unknown_option=1)
    assert math.isclose(ab.analyze(data, "v", ["y"], segment="s").overall.raw["srm"]["p_value"], 1.0)
