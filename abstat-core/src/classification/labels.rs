//! Class labels: integers or strings, ordered as scikit-learn orders them
//! (`np.unique`, i.e. sorted).

use std::collections::BTreeSet;
use std::fmt::Display;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// What can serve as a class label: anything ordered and printable, such as
/// `i64`, `String` or `&str`. Classes are always taken in sorted order, as
/// scikit-learn's `np.unique` does.
pub trait Label: Ord + Clone + Display {}

impl<T: Ord + Clone + Display> Label for T {}

/// The sorted distinct classes of one or more label vectors, with the
/// position of each label among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classes<T> {
    /// The distinct labels, sorted.
    pub labels: Vec<T>,
}

impl<T: Label> Classes<T> {
    /// The sorted union of the labels in `vectors`.
    pub fn of(vectors: &[&[T]]) -> Self {
        let set: BTreeSet<&T> = vectors.iter().flat_map(|v| v.iter()).collect();
        Classes {
            labels: set.into_iter().cloned().collect(),
        }
    }

    /// Number of classes.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no classes.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Position of `label` among the classes, if it is one.
    pub fn index(&self, label: &T) -> Option<usize> {
        self.labels.binary_search(label).ok()
    }

    /// Positions of every label in `y`; a label that is not a class is an
    /// error naming `what`.
    pub fn encode(&self, y: &[T], what: &str) -> Result<Vec<usize>> {
        y.iter()
            .map(|l| {
                self.index(l).ok_or_else(|| {
                    Error::invalid(
                        format!("label in {what}"),
                        l,
                        format!("one of the known classes {}", self.describe()),
                    )
                })
            })
            .collect()
    }

    /// The classes as `[a, b, c]` for messages.
    pub fn describe(&self) -> String {
        let shown: Vec<String> = self.labels.iter().map(ToString::to_string).collect();
        format!("[{}]", shown.join(", "))
    }
}

/// Check that `y_true` and `y_pred` pair up and are not empty.
pub(crate) fn check_pair<A, B>(y_true: &[A], y_pred: &[B], pred_name: &str) -> Result<()> {
    if y_true.len() != y_pred.len() {
        return Err(Error::LengthMismatch {
            left: "y_true".into(),
            left_len: y_true.len(),
            right: pred_name.into(),
            right_len: y_pred.len(),
        });
    }
    if y_true.is_empty() {
        return Err(Error::TooFewObservations {
            what: "y_true".into(),
            needed: 1,
            got: 0,
        });
    }
    Ok(())
}
