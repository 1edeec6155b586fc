//! The one error type of abstat-core.

use thiserror::Error as ThisError;

/// Everything that can go wrong in a computation, with enough structure for
/// a frontend to explain it (HTTP 4xx body, Python exception, chat message).
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// Fewer observations than the method needs.
    #[error("too few observations in {what}: the method needs at least {needed}, got {got}")]
    TooFewObservations {
        /// Which input (e.g. "sample a", "group 'B'").
        what: String,
        /// The minimum the method needs.
        needed: usize,
        /// What was given after missing values were handled.
        got: usize,
    },
    /// All values are equal where the method divides by a spread.
    #[error("{what} has zero variance (all values are equal), so {method} is undefined")]
    ZeroVariance {
        /// Which input.
        what: String,
        /// The method that needs a spread.
        method: String,
    },
    /// A NaN or null was found under `NanPolicy::Raise`.
    #[error(
        "{what} contains missing values (NaN or null); drop them first or use nan_policy = omit"
    )]
    MissingValues {
        /// Which input.
        what: String,
    },
    /// Two inputs that must pair up have different lengths.
    #[error(
        "{left} has {left_len} values but {right} has {right_len}; they must be the same length"
    )]
    LengthMismatch {
        /// The first input.
        left: String,
        /// Its length.
        left_len: usize,
        /// The second input.
        right: String,
        /// Its length.
        right_len: usize,
    },
    /// A parameter outside its allowed range or set.
    #[error("invalid {name} = {value}: expected {expected}")]
    InvalidParameter {
        /// The parameter's name as the user sees it.
        name: String,
        /// The offending value, formatted.
        value: String,
        /// The allowed values or range.
        expected: String,
    },
    /// An Arrow column of a type the method cannot use.
    #[error("{what} has type {data_type}, but {expected} is needed")]
    UnsupportedType {
        /// Which input.
        what: String,
        /// Its Arrow data type.
        data_type: String,
        /// What would work.
        expected: String,
    },
    /// An iterative method did not converge.
    #[error("{what} did not converge after {iterations} iterations")]
    NoConvergence {
        /// The method or quantity.
        what: String,
        /// Iterations performed.
        iterations: usize,
    },
    /// The data make the requested quantity undefined, for a stated reason.
    #[error("{0}")]
    Degenerate(String),
    /// A value that does not convert to the type a cast asked for.
    #[error(
        "{what}: '{value}' cannot be converted to {to}; fix the value, or cast with on_error = \"null\" to make such values missing"
    )]
    CastFailed {
        /// Where the value is (column and row).
        what: String,
        /// The value, as text.
        value: String,
        /// The target type.
        to: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `Ok` when `value` lies strictly between 0 and 1 (a confidence level,
    /// a significance level, a power, a probability); otherwise
    /// [`Error::InvalidParameter`] naming `name`. NaN is refused.
    pub fn check_open_unit(name: &str, value: f64) -> Result<()> {
        if value > 0.0 && value < 1.0 {
            Ok(())
        } else {
            Err(Error::invalid(
                name,
                value,
                "a number strictly between 0 and 1",
            ))
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(
        name: impl Into<String>,
        value: impl ToString,
        expected: impl Into<String>,
    ) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}
