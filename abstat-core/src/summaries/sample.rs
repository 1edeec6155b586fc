//! The values a summary is computed from, after the missing-value policy.

use std::borrow::Cow;

use super::scan::{CoMoments, Moments, all_finite, co_moments, moments};
use crate::input::{Cleaned, CleanedPair, clean, clean_pair};
use crate::{Error, NanPolicy, Result};

/// The policy handed to [`crate::input`]: a chart cannot show a NaN
/// result, so `Propagate` refuses NaN as `Raise` does.
fn input_policy(policy: NanPolicy) -> NanPolicy {
    match policy {
        NanPolicy::Omit => NanPolicy::Omit,
        NanPolicy::Raise | NanPolicy::Propagate => NanPolicy::Raise,
    }
}

/// Infinite values and an empty sample are errors.
fn check_finite(x: &[f64], what: &str) -> Result<()> {
    if let Some(v) = x.iter().find(|v| v.is_infinite()) {
        return Err(Error::Degenerate(format!(
            "{what} contains an infinite value ({v}); a chart needs finite numbers"
        )));
    }
    if x.is_empty() {
        return Err(Error::TooFewObservations {
            what: what.to_string(),
            needed: 1,
            got: 0,
        });
    }
    Ok(())
}

/// `x` without NaN under [`NanPolicy::Omit`]; NaN under `Raise` or
/// `Propagate` is [`Error::MissingValues`]. Infinite values and an empty
/// result are errors too. Borrows when nothing is dropped.
pub fn finite<'a>(x: &'a [f64], policy: NanPolicy, what: &str) -> Result<Cow<'a, [f64]>> {
    if !x.is_empty() && all_finite(x) {
        return Ok(Cow::Borrowed(x));
    }
    let Cleaned::Ready(x) = clean(x, input_policy(policy), what)? else {
        unreachable!("clean propagates only under NanPolicy::Propagate");
    };
    check_finite(&x, what)?;
    Ok(x)
}

/// [`finite`] and the [`Moments`] of the result: one fused pass when every
/// value is finite (the usual case), else the cleaned copy scanned again.
pub(crate) fn finite_moments<'a>(
    x: &'a [f64],
    policy: NanPolicy,
    what: &str,
) -> Result<(Cow<'a, [f64]>, Moments)> {
    let m = moments(x);
    if m.finite && m.n > 0 {
        return Ok((Cow::Borrowed(x), m));
    }
    let x = finite(x, policy, what)?;
    let m = moments(&x);
    Ok((x, m))
}

/// Two paired samples, borrowed when nothing was dropped.
pub type Pair<'a> = (Cow<'a, [f64]>, Cow<'a, [f64]>);

/// Paired `x`, `y` with a pair dropped when either is NaN (under `Omit`);
/// otherwise as [`finite`].
pub fn finite_pair<'a>(
    x: &'a [f64],
    y: &'a [f64],
    policy: NanPolicy,
    what: (&str, &str),
) -> Result<Pair<'a>> {
    if x.len() == y.len() && !x.is_empty() && all_finite(x) && all_finite(y) {
        return Ok((Cow::Borrowed(x), Cow::Borrowed(y)));
    }
    let CleanedPair::Ready(x, y) = clean_pair(x, y, input_policy(policy), what)? else {
        unreachable!("clean_pair propagates only under NanPolicy::Propagate");
    };
    check_finite(&x, what.0)?;
    check_finite(&y, what.1)?;
    Ok((x, y))
}

/// [`finite_pair`] and the [`CoMoments`] of the pair: one fused pass over
/// both columns when they are equally long and finite (the usual case),
/// else the cleaned pair scanned again.
pub(crate) fn finite_pair_moments<'a>(
    x: &'a [f64],
    y: &'a [f64],
    policy: NanPolicy,
    what: (&str, &str),
) -> Result<(Pair<'a>, CoMoments)> {
    if x.len() == y.len() && !x.is_empty() {
        let m = co_moments(&[x, y]);
        if m.finite() {
            return Ok(((Cow::Borrowed(x), Cow::Borrowed(y)), m));
        }
    }
    let (x, y) = finite_pair(x, y, policy, what)?;
    let m = co_moments(&[&x, &y]);
    Ok(((x, y), m))
}

/// Every `step`-th value, starting at 0: at most `max` values from `x`,
/// deterministic and evenly spread through the input order.
pub fn strided(x: &[f64], max: usize) -> Cow<'_, [f64]> {
    if x.len() <= max {
        Cow::Borrowed(x)
    } else {
        let step = x.len().div_ceil(max);
        Cow::Owned(x.iter().step_by(step).copied().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies() {
        let x = [1.0, f64::NAN, 2.0];
        assert_eq!(&*finite(&x, NanPolicy::Omit, "x").unwrap(), &[1.0, 2.0]);
        for p in [NanPolicy::Raise, NanPolicy::Propagate] {
            assert!(matches!(
                finite(&x, p, "x"),
                Err(Error::MissingValues { .. })
            ));
        }
        assert!(finite(&[f64::INFINITY], NanPolicy::Omit, "x").is_err());
        assert!(matches!(
            finite(&[f64::NAN], NanPolicy::Omit, "x"),
            Err(Error::TooFewObservations { .. })
        ));
        let (a, b) = finite_pair(&x, &[1.0, 2.0, f64::NAN], NanPolicy::Omit, ("x", "y")).unwrap();
        assert_eq!((&*a, &*b), (&[1.0][..], &[1.0][..]));
        assert!(matches!(
            finite_pair(&x, &[1.0], NanPolicy::Omit, ("x", "y")),
            Err(Error::LengthMismatch { .. })
        ));
        assert_eq!(strided(&[1.0, 2.0, 3.0, 4.0, 5.0], 2).len(), 2);
    }
}
