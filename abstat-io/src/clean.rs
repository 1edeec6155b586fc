//! Cleaning a stored dataset: a [`CleanPlan`] applied to one version,
//! streaming, written as a new version whose parent is the source. The
//! source version is only read, never modified.

use abstat_core::clean::{CleanPlan, CleanReport, Cleaner};

use crate::store::{DatasetStore, VersionInfo};
use crate::{Error, Result};

/// Rows per batch while cleaning: what bounds memory.
pub const CLEAN_BATCH_ROWS: usize = 65_536;

/// The core's refusals say "clean", not "profile".
fn cleaning(e: Error) -> Error {
    match e {
        Error::Profile(c) => Error::Clean(c),
        other => other,
    }
}

/// Apply `plan` to version `version` (the latest when `None`) of dataset
/// `id` and store the result as a new version with that version as its
/// parent and a note listing the operations. Plans whose operations need
/// whole-column statistics read the source once per statistic first (see
/// [`abstat_core::clean`]). Nothing is stored when the plan is refused or
/// the data cannot be cleaned.
pub fn clean_dataset(
    store: &dyn DatasetStore,
    id: &str,
    version: Option<u32>,
    plan: &CleanPlan,
) -> Result<(VersionInfo, CleanReport)> {
    // A missing version is reported by the first read.
    let source = match version {
        Some(n) => n,
        None => {
            store
                .describe(id)?
                .latest()
                .ok_or_else(|| Error::NotFound {
                    id: id.into(),
                    version,
                })?
                .version
        }
    };
    let read = || store.read(id, Some(source), None, CLEAN_BATCH_ROWS);
    let (schema, _) = read()?;
    let mut cleaner = Cleaner::new(plan, schema).map_err(Error::Clean)?;
    cleaner
        .fit(|| read().map(|(_, batches)| batches))
        .map_err(cleaning)?;
    let out_schema = cleaner.output_schema();
    let (_, batches) = read()?;
    let mut cleaned = batches
        .map(|b| cleaner.apply(&b?).map_err(Error::Clean))
        .filter(|b| !matches!(b, Ok(b) if b.num_rows() == 0));
    let note = note(plan);
    let v = store.add_version(id, source, &note, out_schema, &mut cleaned)?;
    drop(cleaned);
    Ok((v, cleaner.report()))
}

/// "clean: drop_duplicates, fill_missing, …; plan {json}" — readable, and
/// the exact plan for whoever wants to replay it.
fn note(plan: &CleanPlan) -> String {
    let names: Vec<&str> = plan.ops.iter().map(|o| o.name()).collect();
    let json = serde_json::to_string(plan).unwrap_or_default();
    format!("clean: {}; plan {json}", names.join(", "))
}
