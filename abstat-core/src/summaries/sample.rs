//! The values a summary is computed from, after the missing-value policy.

use std::borrow::Cow;

use crate::{Error, NanPolicy, Result};

/// `x` without NaN under [`NanPolicy::Omit`]; NaN under `Raise` or
/// `Propagate` is [`Error::MissingValues`]. Infinite values and an empty
/// result are errors too. Borrows when nothing is dropped.
pub fn finite<'a>(x: &'a [f64], policy: NanPolicy, what: &str) -> Result<Cow<'a, [f64]>> {
    let mut nan = false;
    for v in x {
        if v.is_nan() {
            nan = true;
        } else if v.is_infinite() {
            return Err(Error::Degenerate(format!(
                "{what} contains an infinite value ({v}); a chart needs finite numbers"
            )));
        }
    }
    let out = match (nan, policy) {
        (false, _) => Cow::Borrowed(x),
        (true, NanPolicy::Omit) => Cow::Owned(x.iter().copied().filter(|v| !v.is_nan()).collect()),
        (true, _) => {
            return Err(Error::MissingValues {
                what: what.to_string(),
            });
        }
    };
    if out.is_empty() {
        return Err(Error::TooFewObservations {
            what: what.to_string(),
            needed: 1,
            got: 0,
        });
    }
    Ok(out)
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
    if x.len() != y.len() {
        return Err(Error::LengthMismatch {
            left: what.0.to_string(),
            left_len: x.len(),
            right: what.1.to_string(),
            right_len: y.len(),
        });
    }
    let has_nan = x.iter().chain(y).any(|v| v.is_nan());
    let (x, y) = if has_nan && policy == NanPolicy::Omit {
        let (a, b): (Vec<f64>, Vec<f64>) = x
            .iter()
            .zip(y)
            .filter(|(a, b)| !a.is_nan() && !b.is_nan())
            .map(|(&a, &b)| (a, b))
            .unzip();
        (Cow::Owned(a), Cow::Owned(b))
    } else {
        (Cow::Borrowed(x), Cow::Borrowed(y))
    };
    // the checks of `finite` (NaN under Raise/Propagate, infinities, empty)
    let checked_x = finite(&x, policy, what.0)?;
    debug_assert_eq!(checked_x.len(), x.len());
    finite(&y, policy, what.1)?;
    Ok((x, y))
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
