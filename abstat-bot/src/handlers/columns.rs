//! What the dialogues need to know about a dataset's columns to offer only
//! the ones that make sense: the type (from the dataset's schema) and the
//! distinct values (from `GET /datasets/{id}/values/`). The server counts;
//! the bot only sorts columns into roles.

use abstat_api::{ColumnValues, Dataset};
use serde::{Deserialize, Serialize};

/// Most groups (variants, classes, levels) a grouping column may have.
pub const MAX_GROUPS: u64 = 20;

/// How a column's type can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ColumnType {
    /// Floating-point numbers.
    Float,
    /// Whole numbers.
    Integer,
    /// true / false.
    Boolean,
    /// Text.
    Text,
    /// Dates, times and anything else: not offered.
    Other,
}

impl ColumnType {
    /// The type of an Arrow type name as the API reports it.
    pub fn of(data_type: &str) -> ColumnType {
        let bits = |p: &str| {
            data_type
                .strip_prefix(p)
                .is_some_and(|b| b.parse::<u8>().is_ok())
        };
        if bits("Float") {
            ColumnType::Float
        } else if bits("Int") || bits("UInt") {
            ColumnType::Integer
        } else if data_type == "Boolean" {
            ColumnType::Boolean
        } else if data_type.contains("Utf8") {
            ColumnType::Text
        } else {
            ColumnType::Other
        }
    }
}

/// One column as the dialogues see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnFacts {
    /// The name requests use.
    pub name: String,
    /// The name to show (the original header).
    pub label: String,
    /// Its type.
    pub ty: ColumnType,
    /// Distinct values (a lower bound when `capped`).
    pub distinct: u64,
    /// Whether the server stopped counting distinct values.
    pub capped: bool,
    /// The most frequent values, kept for columns with few distinct values.
    pub values: Vec<String>,
}

impl ColumnFacts {
    /// A column named `name` of type `ty` with `distinct` values and no
    /// kept values: the dialogues' unit tests build their datasets from it.
    #[cfg(test)]
    pub(crate) fn test(name: &str, ty: ColumnType, distinct: u64) -> ColumnFacts {
        ColumnFacts {
            name: name.into(),
            label: name.into(),
            ty,
            distinct,
            capped: false,
            values: Vec::new(),
        }
    }

    /// The dataset's columns with their value counts.
    pub fn of(dataset: &Dataset, values: &[ColumnValues]) -> Vec<ColumnFacts> {
        dataset
            .columns
            .iter()
            .map(|c| {
                let v = values.iter().find(|v| v.name == c.name);
                let mut facts = ColumnFacts {
                    name: c.name.clone(),
                    label: c.label.clone().unwrap_or_else(|| c.name.clone()),
                    ty: ColumnType::of(&c.data_type),
                    distinct: v.map_or(0, |v| v.distinct),
                    capped: v.is_some_and(|v| v.distinct_capped),
                    values: Vec::new(),
                };
                if !facts.capped && facts.distinct <= MAX_GROUPS {
                    facts.values = v
                        .map(|v| v.top.iter().map(|l| l.value.clone()).collect())
                        .unwrap_or_default();
                }
                facts
            })
            .collect()
    }

    /// Numbers (booleans count as 0/1, as the server reads them).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self.ty,
            ColumnType::Float | ColumnType::Integer | ColumnType::Boolean
        )
    }

    /// A column that splits rows into 2 to [`MAX_GROUPS`] groups: text,
    /// booleans or whole numbers with few distinct values.
    pub fn is_grouping(&self) -> bool {
        matches!(
            self.ty,
            ColumnType::Text | ColumnType::Integer | ColumnType::Boolean
        ) && !self.capped
            && (2..=MAX_GROUPS).contains(&self.distinct)
    }

    /// A numeric column with exactly the values 0 and 1 (or a boolean):
    /// a conversion, a binary target.
    pub fn is_zero_one(&self) -> bool {
        self.ty == ColumnType::Boolean
            || (self.is_numeric() && self.distinct == 2 && {
                let mut v = self.values.clone();
                v.sort();
                v == ["0", "1"]
            })
    }

    /// A measurement: numeric and not a handful of group codes.
    pub fn is_measure(&self) -> bool {
        self.is_numeric()
    }

    /// Usable as a regression predictor or classification feature: numeric,
    /// or a grouping column (dummy- / one-hot coded by the server).
    pub fn is_feature(&self) -> bool {
        self.is_numeric() || self.is_grouping()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_types_map_to_the_roles_the_server_accepts() {
        assert_eq!(ColumnType::of("Float64"), ColumnType::Float);
        assert_eq!(ColumnType::of("Int64"), ColumnType::Integer);
        assert_eq!(ColumnType::of("UInt8"), ColumnType::Integer);
        assert_eq!(ColumnType::of("Boolean"), ColumnType::Boolean);
        assert_eq!(ColumnType::of("Utf8"), ColumnType::Text);
        assert_eq!(ColumnType::of("LargeUtf8"), ColumnType::Text);
        assert_eq!(ColumnType::of("Date32"), ColumnType::Other);
        assert_eq!(ColumnType::of("Interval"), ColumnType::Other);
    }

    #[test]
    fn zero_one_columns_are_conversions_and_grouping_needs_few_values() {
        let col = |ty, distinct, values: &[&str]| ColumnFacts {
            name: "c".into(),
            label: "c".into(),
            ty,
            distinct,
            capped: false,
            values: values.iter().map(|s| s.to_string()).collect(),
        };
        assert!(col(ColumnType::Integer, 2, &["1", "0"]).is_zero_one());
        assert!(!col(ColumnType::Integer, 2, &["1", "2"]).is_zero_one());
        assert!(col(ColumnType::Text, 3, &[]).is_grouping());
        assert!(!col(ColumnType::Float, 3, &[]).is_grouping());
        assert!(!col(ColumnType::Text, 1, &[]).is_grouping());
        assert!(!col(ColumnType::Text, MAX_GROUPS + 1, &[]).is_grouping());
    }
}
