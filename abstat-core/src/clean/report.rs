//! What a cleaning run did, operation by operation.

use serde::{Deserialize, Serialize};

/// The record of one run of a [`crate::clean::CleanPlan`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CleanReport {
    /// Rows that went in.
    pub rows_in: u64,
    /// Rows that came out.
    pub rows_out: u64,
    /// One entry per operation, in plan order.
    pub ops: Vec<OpReport>,
}

/// What one operation did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpReport {
    /// The operation's name as in the plan (`"fill_missing"`, …).
    pub op: String,
    /// Rows before it.
    pub rows_before: u64,
    /// Rows after it.
    pub rows_after: u64,
    /// Cells whose value it changed (filled, capped, converted, rewritten).
    pub cells_changed: u64,
    /// Values a cast could not convert (they became missing).
    pub failures: u64,
    /// What was computed from the data, in words (fill values, bounds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl CleanReport {
    /// A one-line-per-operation summary, e.g. for a version's note or a
    /// chat message.
    pub fn summary(&self) -> String {
        self.ops
            .iter()
            .map(|o| {
                format!(
                    "{}: {} → {} rows, {} cells changed",
                    o.op, o.rows_before, o.rows_after, o.cells_changed
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}
