//! Arrow ⇄ ClickHouse column types, and the stored description of a
//! version's schema (kept in the metadata table so a read returns exactly
//! the Arrow schema that was written, labels included).
//!
//! | Arrow | ClickHouse 18.16 |
//! |---|---|
//! | Int64 | Int64 |
//! | Float64 | Float64 |
//! | Boolean | UInt8 (0/1) |
//! | Utf8 | String |
//! | Date32 | Date (days since 1970, 1970-01-01 ..= 2149-06-06) |
//! | Timestamp(unit, tz) | DateTime (whole seconds, 1970 ..= 2106, UTC) |
//!
//! A nullable field becomes `Nullable(T)`. 18.16 has no DateTime64, so a
//! timestamp with a fraction of a second is refused rather than truncated;
//! other Arrow types are refused with advice to cast them.

use std::collections::HashMap;

use arrow_schema::{DataType, Field, Schema, TimeUnit};
use serde::{Deserialize, Serialize};

use crate::store::{ColumnInfo, VersionInfo};
use crate::{Error, Result};

/// The hidden row-number column every version table has: the MergeTree
/// sorting key, so reads return rows in the order they were written.
pub(crate) const ROW_COLUMN: &str = "_abstat_row";

/// A column's type as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Kind {
    Int64,
    Float64,
    Boolean,
    Utf8,
    Date32,
    /// An Arrow timestamp in this many ticks per second (1, 10³, 10⁶, 10⁹).
    Timestamp {
        ticks_per_second: i64,
    },
}

/// One column of a stored version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredField {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) nullable: bool,
    /// The Arrow timestamp's time zone, if any.
    #[serde(default)]
    pub(crate) timezone: Option<String>,
    /// The Arrow field metadata (the original column name among it).
    #[serde(default)]
    pub(crate) metadata: HashMap<String, String>,
}

/// A version as the metadata table keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredVersion {
    pub(crate) info: VersionInfo,
    pub(crate) fields: Vec<StoredField>,
}

fn ticks(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

fn unit(ticks_per_second: i64) -> TimeUnit {
    match ticks_per_second {
        1 => TimeUnit::Second,
        1_000 => TimeUnit::Millisecond,
        1_000_000 => TimeUnit::Microsecond,
        _ => TimeUnit::Nanosecond,
    }
}

impl StoredField {
    fn from_arrow(f: &Field) -> Result<Self> {
        let refuse = |detail: String| Error::NotStorable {
            column: f.name().clone(),
            detail,
        };
        if f.name().is_empty() {
            return Err(refuse(
                "ClickHouse columns need a name; rename the column".into(),
            ));
        }
        if f.name() == ROW_COLUMN {
            return Err(refuse(format!(
                "'{ROW_COLUMN}' is the store's own row-number column; rename the column"
            )));
        }
        let (kind, timezone) = match f.data_type() {
            DataType::Int64 => (Kind::Int64, None),
            DataType::Float64 => (Kind::Float64, None),
            DataType::Boolean => (Kind::Boolean, None),
            DataType::Utf8 => (Kind::Utf8, None),
            DataType::Date32 => (Kind::Date32, None),
            DataType::Timestamp(u, tz) => (
                Kind::Timestamp {
                    ticks_per_second: ticks(u),
                },
                tz.as_ref().map(|t| t.to_string()),
            ),
            t => {
                return Err(refuse(format!(
                    "type {t} is not supported; cast it to Int64, Float64, Boolean, Utf8, Date32 or Timestamp first"
                )));
            }
        };
        Ok(StoredField {
            name: f.name().clone(),
            kind,
            nullable: f.is_nullable(),
            timezone,
            metadata: f.metadata().clone().into(),
        })
    }

    /// The Arrow field read back.
    pub(crate) fn arrow(&self) -> Field {
        let t = match self.kind {
            Kind::Int64 => DataType::Int64,
            Kind::Float64 => DataType::Float64,
            Kind::Boolean => DataType::Boolean,
            Kind::Utf8 => DataType::Utf8,
            Kind::Date32 => DataType::Date32,
            Kind::Timestamp { ticks_per_second } => DataType::Timestamp(
                unit(ticks_per_second),
                self.timezone.as_deref().map(Into::into),
            ),
        };
        Field::new(&self.name, t, self.nullable).with_metadata(self.metadata.clone())
    }

    /// The ClickHouse column type.
    pub(crate) fn clickhouse_type(&self) -> String {
        let t = match self.kind {
            Kind::Int64 => "Int64",
            Kind::Float64 => "Float64",
            Kind::Boolean => "UInt8",
            Kind::Utf8 => "String",
            Kind::Date32 => "Date",
            Kind::Timestamp { .. } => "DateTime",
        };
        if self.nullable {
            format!("Nullable({t})")
        } else {
            t.to_string()
        }
    }
}

/// The stored description of `schema`, or an error naming the first column
/// ClickHouse cannot hold (or a repeated name).
pub(crate) fn stored_fields(schema: &Schema) -> Result<Vec<StoredField>> {
    let mut seen = std::collections::HashSet::new();
    schema
        .fields()
        .iter()
        .map(|f| {
            if !seen.insert(f.name().as_str()) {
                return Err(Error::NotStorable {
                    column: f.name().clone(),
                    detail: "the name appears twice; column names must be unique".into(),
                });
            }
            StoredField::from_arrow(f)
        })
        .collect()
}

/// The Arrow schema of `fields`.
pub(crate) fn arrow_schema(fields: &[StoredField]) -> Schema {
    Schema::new(fields.iter().map(StoredField::arrow).collect::<Vec<_>>())
}

/// The columns as [`VersionInfo`] lists them (same text as the local store).
pub(crate) fn column_infos(fields: &[StoredField]) -> Vec<ColumnInfo> {
    crate::store::columns_of(&arrow_schema(fields))
}
