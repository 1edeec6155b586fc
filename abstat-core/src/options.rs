//! Options shared by many methods, named after scipy's.

use serde::{Deserialize, Serialize};

/// The alternative hypothesis, as scipy's `alternative=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    /// The parameter differs from its null value in either direction.
    #[default]
    TwoSided,
    /// The parameter is less than its null value (e.g. mean(a) < mean(b)).
    Less,
    /// The parameter is greater than its null value.
    Greater,
}

/// What to do with NaN and null values, as scipy's `nan_policy=`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NanPolicy {
    /// Any missing value makes the result NaN (scipy's default).
    #[default]
    Propagate,
    /// Drop missing values before computing.
    Omit,
    /// Return [`crate::Error::MissingValues`].
    Raise,
}

impl std::str::FromStr for Alternative {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "two-sided" | "two_sided" | "2s" => Ok(Alternative::TwoSided),
            "less" => Ok(Alternative::Less),
            "greater" => Ok(Alternative::Greater),
            other => Err(crate::Error::invalid(
                "alternative",
                other,
                "one of 'two-sided', 'less', 'greater'",
            )),
        }
    }
}

impl std::str::FromStr for NanPolicy {
    type Err = crate::Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "propagate" => Ok(NanPolicy::Propagate),
            "omit" => Ok(NanPolicy::Omit),
            "raise" => Ok(NanPolicy::Raise),
            other => Err(crate::Error::invalid(
                "nan_policy",
                other,
                "one of 'propagate', 'omit', 'raise'",
            )),
        }
    }
}
