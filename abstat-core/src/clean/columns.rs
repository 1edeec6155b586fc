//! Renaming and dropping columns.

use std::collections::{BTreeMap, HashSet};

use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema, SchemaRef};

use super::resolve::{At, column_list};
use super::{Applied, LABEL_KEY, Step, arrow_error, shared};
use crate::Result;

/// Same columns, new schema (renamed fields).
struct Relabel {
    schema: SchemaRef,
}

impl Step for Relabel {
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        RecordBatch::try_new(self.schema.clone(), batch.columns().to_vec())
            .map(Applied::rows)
            .map_err(arrow_error("renaming columns"))
    }
}

pub(super) fn rename(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &BTreeMap<String, String>,
) -> Result<(Box<dyn Step>, SchemaRef)> {
    if columns.is_empty() {
        return Err(at.invalid(
            "columns",
            "{}",
            "a map of old name to new name, e.g. {\"pre\": \"pre_period\"}",
        ));
    }
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (old, new) in columns {
        let i = at.column(schema, "columns", old)?;
        if new.trim().is_empty() {
            return Err(at.invalid(
                "columns",
                format!("'{old}' → '{new}'"),
                "a non-empty new name",
            ));
        }
        let mut meta = fields[i].metadata().clone();
        // The new name is what the user wants to see, also in exports.
        meta.remove(LABEL_KEY);
        fields[i] = fields[i].clone().with_name(new.clone()).with_metadata(meta);
    }
    let mut seen = HashSet::new();
    if let Some(dup) = fields.iter().find(|f| !seen.insert(f.name().clone())) {
        return Err(at.invalid(
            "columns",
            format!("'{}'", dup.name()),
            "new names that differ from each other and from the columns kept",
        ));
    }
    let out = shared(Schema::new_with_metadata(fields, schema.metadata().clone()));
    Ok((
        Box::new(Relabel {
            schema: out.clone(),
        }),
        out,
    ))
}

struct Project {
    keep: Vec<usize>,
}

impl Step for Project {
    fn apply(&mut self, batch: &RecordBatch) -> Result<Applied> {
        batch
            .project(&self.keep)
            .map(Applied::rows)
            .map_err(arrow_error("dropping columns"))
    }
}

pub(super) fn drop(
    at: At<'_>,
    schema: &SchemaRef,
    columns: &[String],
) -> Result<(Box<dyn Step>, SchemaRef)> {
    let gone = at.columns(schema, "columns", columns)?;
    let keep: Vec<usize> = (0..schema.fields().len())
        .filter(|i| !gone.contains(i))
        .collect();
    if keep.is_empty() {
        return Err(at.invalid(
            "columns",
            columns.join(", "),
            format!(
                "at least one of the columns to remain ({})",
                column_list(schema)
            ),
        ));
    }
    let out = shared(
        schema
            .project(&keep)
            .map_err(arrow_error("dropping columns"))?,
    );
    Ok((Box::new(Project { keep }), out))
}
