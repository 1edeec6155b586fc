//! Histograms with numpy's bins: `numpy.histogram` (equal-width bins from
//! `numpy.linspace`, the last bin closed) and its `"auto"`, `"sturges"`,
//! `"fd"` bin-count rules (`numpy/lib/_histograms_impl.py`).

use serde::{Deserialize, Serialize};

use std::borrow::Cow;

use super::boxplot::quartiles;
use super::sample::finite_moments;
use super::scan::{Extent, add_counts, bin_counts, extent_of};
use crate::{Error, NanPolicy, Result};

/// How many bins (numpy's `bins=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bins {
    /// numpy `"auto"`: the smaller width of Sturges and Freedman–Diaconis,
    /// FD's width kept at least half the square-root rule's.
    #[default]
    Auto,
    /// numpy `"sturges"`: width = range / (log₂ n + 1).
    Sturges,
    /// numpy `"fd"`: width = 2·IQR·n^(−1/3).
    FreedmanDiaconis,
    /// A fixed number of equal-width bins (≥ 1).
    Count(usize),
}

/// Options of [`histogram`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistogramOptions {
    /// The bin rule.
    pub bins: Bins,
    /// Lower and upper edge (numpy `range=`); values outside are not
    /// counted. `None`: the data's minimum and maximum.
    pub range: Option<(f64, f64)>,
    /// Missing values (default `Omit`, see the module docs).
    pub nan_policy: NanPolicy,
}

impl Default for HistogramOptions {
    fn default() -> Self {
        HistogramOptions {
            bins: Bins::Auto,
            range: None,
            nan_policy: NanPolicy::Omit,
        }
    }
}

/// Equal-width bins over `[first, last]`, edges as `numpy.linspace`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EqualBins {
    /// `count + 1` increasing edges; bin i is `[edges[i], edges[i+1])`, the
    /// last bin also holds its right edge.
    pub edges: Vec<f64>,
}

impl EqualBins {
    /// `count` bins from `first` to `last` (`first < last`, both finite).
    pub fn new(first: f64, last: f64, count: usize) -> Result<Self> {
        if count == 0 {
            return Err(Error::invalid("bins", count, "at least 1"));
        }
        if !(first.is_finite() && last.is_finite() && first < last) {
            return Err(Error::invalid(
                "range",
                format!("({first}, {last})"),
                "finite lower < upper",
            ));
        }
        // numpy.linspace: arange(0, num) * step + start, last set to stop.
        let step = (last - first) / count as f64;
        let mut edges: Vec<f64> = (0..=count).map(|i| i as f64 * step + first).collect();
        edges[count] = last;
        if edges.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid(
                "bins",
                count,
                "few enough bins that each has a positive width",
            ));
        }
        Ok(EqualBins { edges })
    }

    /// Number of bins.
    pub fn len(&self) -> usize {
        self.edges.len() - 1
    }

    /// Always `false`: there is at least one bin.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The bin of `v`, or `None` outside `[first, last]` — numpy's index
    /// computation with its ±1 corrections at the edges.
    #[inline]
    pub fn index(&self, v: f64) -> Option<usize> {
        self.indexer().of(v)
    }

    /// [`EqualBins::index`] with its constants computed once, for loops
    /// over many values.
    pub(crate) fn indexer(&self) -> BinIndex<'_> {
        let n = self.len();
        let (first, last) = (self.edges[0], self.edges[n]);
        BinIndex {
            edges: &self.edges,
            first,
            last,
            scale: n as f64 / (last - first),
            n,
        }
    }

    /// Counts of `x` per bin (values outside are skipped); parallel
    /// over chunks of `x`.
    pub fn count(&self, x: &[f64]) -> Vec<u64> {
        let at = self.indexer();
        bin_counts(x, self.len(), |v| at.of(v))
    }
}

/// The bin of a value in [`EqualBins`] (see [`EqualBins::indexer`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BinIndex<'a> {
    edges: &'a [f64],
    first: f64,
    last: f64,
    /// bins / (last − first)
    scale: f64,
    n: usize,
}

impl BinIndex<'_> {
    /// The bin of `v`, or `None` outside `[first, last]`. numpy computes
    /// the first guess as (v − first) / (last − first) · n; the product
    /// with the precomputed n / (last − first) differs from it by a few
    /// ulps, so the guess is off by at most one bin near an edge, and the
    /// corrections against the edges below (numpy's) give numpy's bin.
    #[inline]
    pub(crate) fn of(&self, v: f64) -> Option<usize> {
        let n = self.n;
        if !(v >= self.first && v <= self.last) {
            return None;
        }
        let mut i = ((v - self.first) * self.scale) as usize;
        if i >= n {
            i = n - 1;
        }
        if v < self.edges[i] {
            i -= 1;
        } else if v >= self.edges[i + 1] && i != n - 1 {
            i += 1;
        }
        Some(i)
    }
}

/// A histogram: bins and their counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// The bins.
    pub bins: EqualBins,
    /// Count per bin.
    pub counts: Vec<u64>,
    /// Values counted (inside the range).
    pub n: u64,
}

impl Histogram {
    /// numpy's `density=True`: count / (n · width), integrating to 1.
    pub fn density(&self) -> Vec<f64> {
        let n = self.n as f64;
        self.counts
            .iter()
            .zip(self.bins.edges.windows(2))
            .map(|(&c, w)| c as f64 / (w[1] - w[0]) / n)
            .collect()
    }
}

/// numpy `_get_outer_edges`: the range, widened by ½ on each side when all
/// values are equal; `data` is the values' (min, max).
fn outer_edges(data: (f64, f64), range: Option<(f64, f64)>) -> Result<(f64, f64)> {
    let (mut lo, mut hi) = match range {
        Some((lo, hi)) => {
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(Error::invalid(
                    "range",
                    format!("({lo}, {hi})"),
                    "finite lower ≤ upper",
                ));
            }
            (lo, hi)
        }
        None => data,
    };
    if lo == hi {
        lo -= 0.5;
        hi += 0.5;
    }
    Ok((lo, hi))
}

/// The bin width of a rule on the values inside the range (numpy
/// `_hist_bin_*`), `n` values with extent `(lo, hi)` and quartiles
/// `quartiles()` (asked for by the `"fd"`/`"auto"` rules only); 0 when the
/// rule gives none.
fn rule_width(
    rule: Bins,
    quartiles: impl FnOnce() -> [f64; 3],
    n: usize,
    (lo, hi): (f64, f64),
) -> f64 {
    let n = n as f64;
    let ptp = hi - lo;
    let sturges = ptp / (n.log2() + 1.0);
    let fd = || {
        let q = quartiles();
        2.0 * (q[2] - q[0]) * n.powf(-1.0 / 3.0)
    };
    match rule {
        Bins::Sturges => sturges,
        Bins::FreedmanDiaconis => fd(),
        Bins::Auto => {
            let sqrt = ptp / n.sqrt();
            fd().max(sqrt / 2.0).min(sturges)
        }
        Bins::Count(_) => unreachable!("a count is not a width rule"),
    }
}

/// Bins from a rule's width: ⌈(last − first) / width⌉, or one bin when the
/// rule gives no width.
fn count_of_width(first: f64, last: f64, width: f64) -> usize {
    if width > 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    }
}

/// `numpy.histogram(x, bins, range)` with NaN handled by the policy.
///
/// Exact at any size: min/max and the counts are parallel passes, and the
/// quartiles of the `"fd"`/`"auto"` rules come from a bucket selection
/// (no sort, no copy of the column).
pub fn histogram(x: &[f64], opts: &HistogramOptions) -> Result<Histogram> {
    histogram_pooled(&[x], opts)
}

/// `numpy.histogram(numpy.concatenate(samples), bins, range)`: one
/// histogram of several samples taken together (shared bins for an
/// overlay) without concatenating them. Empty samples are allowed; all
/// of them empty is an error.
pub fn histogram_pooled(samples: &[&[f64]], opts: &HistogramOptions) -> Result<Histogram> {
    let mut parts: Vec<Cow<[f64]>> = Vec::with_capacity(samples.len());
    let mut all = Extent::EMPTY;
    for x in samples {
        match finite_moments(x, opts.nan_policy, "the values") {
            Ok((v, m)) => {
                parts.push(v);
                all = all.merge(m.extent);
            }
            Err(Error::TooFewObservations { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let parts: Vec<&[f64]> = parts.iter().map(|p| &p[..]).collect();
    let bins = pooled_bins(&parts, all, opts)?;
    let counts = parts
        .iter()
        .map(|p| bins.count(p))
        .reduce(add_counts)
        .expect("at least one sample");
    let n = counts.iter().sum();
    Ok(Histogram { bins, counts, n })
}

/// numpy's bins for the values of `parts` taken together (finite, their
/// extent `all`): the range and bin rule of `opts`.
pub(crate) fn pooled_bins(
    parts: &[&[f64]],
    all: Extent,
    opts: &HistogramOptions,
) -> Result<EqualBins> {
    let n: usize = parts.iter().map(|p| p.len()).sum();
    if n == 0 {
        return Err(Error::TooFewObservations {
            what: "the values".into(),
            needed: 1,
            got: 0,
        });
    }
    if opts.range.is_none() {
        return unranged_bins(n, all, opts, || quartiles(parts, (all.min, all.max)));
    }
    let (first, last) = outer_edges((all.min, all.max), opts.range)?;
    let count = match opts.bins {
        Bins::Count(k) => k,
        rule => {
            let inside: Vec<Vec<f64>> = parts
                .iter()
                .map(|p| {
                    p.iter()
                        .copied()
                        .filter(|v| *v >= first && *v <= last)
                        .collect()
                })
                .collect();
            let inside: Vec<&[f64]> = inside.iter().map(|p| &p[..]).collect();
            let m: usize = inside.iter().map(|p| p.len()).sum();
            let width = if m == 0 {
                0.0
            } else {
                let e = extent_of(&inside);
                rule_width(
                    rule,
                    || quartiles(&inside, (e.min, e.max)),
                    m,
                    (e.min, e.max),
                )
            };
            count_of_width(first, last, width)
        }
    };
    EqualBins::new(first, last, count)
}

/// numpy's bins without a `range`, for `n ≥ 1` finite values with extent
/// `all` whose quartiles are `quartiles()` (asked for by the
/// `"fd"`/`"auto"` rules only): [`pooled_bins`] for callers that find the
/// quartiles their own way.
pub(crate) fn unranged_bins(
    n: usize,
    all: Extent,
    opts: &HistogramOptions,
    quartiles: impl FnOnce() -> [f64; 3],
) -> Result<EqualBins> {
    debug_assert!(opts.range.is_none() && n > 0);
    let (first, last) = outer_edges((all.min, all.max), None)?;
    let count = match opts.bins {
        Bins::Count(k) => k,
        rule => count_of_width(
            first,
            last,
            rule_width(rule, quartiles, n, (all.min, all.max)),
        ),
    };
    EqualBins::new(first, last, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_bin_is_closed_and_outside_values_skipped() {
        let h = histogram(
            &[0.0, 0.5, 1.0, 2.0, 5.0],
            &HistogramOptions {
                bins: Bins::Count(2),
                range: Some((0.0, 2.0)),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(h.counts, vec![2, 2]);
        assert_eq!(h.n, 4);
    }

    #[test]
    fn indexer_gives_numpy_s_bin_even_at_the_edges() {
        // numpy's guess (a division), then its corrections
        fn numpy(b: &EqualBins, v: f64) -> Option<usize> {
            let n = b.len();
            let (first, last) = (b.edges[0], b.edges[n]);
            if !(v >= first && v <= last) {
                return None;
            }
            let mut i = (((v - first) / (last - first)) * n as f64) as usize;
            i = i.min(n - 1);
            if v < b.edges[i] {
                i -= 1;
            } else if v >= b.edges[i + 1] && i != n - 1 {
                i += 1;
            }
            Some(i)
        }
        for (first, last, n) in [(0.1, 0.7, 3), (-3.3, 1e3, 997), (1e-9, 3e-9, 41)] {
            let b = EqualBins::new(first, last, n).unwrap();
            let at = b.indexer();
            let mut values: Vec<f64> = b.edges.clone();
            for e in &b.edges {
                values.extend([e.next_up(), e.next_down()]);
            }
            values.extend((0..10_000).map(|i| first + (last - first) * (i as f64 / 9_999.0)));
            values.extend([first - 1.0, last + 1.0, f64::NAN]);
            for v in values {
                assert_eq!(at.of(v), numpy(&b, v), "{v} in {first}..{last} / {n}");
            }
        }
    }

    #[test]
    fn constant_data_gets_a_unit_range() {
        let h = histogram(&[3.0; 4], &HistogramOptions::default()).unwrap();
        assert_eq!(h.bins.edges, vec![2.5, 3.5]);
        assert_eq!(h.counts, vec![4]);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let bad = HistogramOptions {
            bins: Bins::Count(0),
            ..Default::default()
        };
        assert!(histogram(&[1.0, 2.0], &bad).is_err());
        assert!(histogram(&[], &HistogramOptions::default()).is_err());
        let range = HistogramOptions {
            range: Some((2.0, 1.0)),
            ..Default::default()
        };
        assert!(histogram(&[1.0], &range).is_err());
    }
}
