//! Refusing zip bombs before a spreadsheet library inflates them: the
//! central directory's declared sizes are checked against
//! [`Limits::max_unzipped_bytes`] (all entries together) and
//! [`Limits::max_zip_ratio`] (each entry over 1 MiB), without
//! decompressing anything.

use std::io::{Read, Seek};

use crate::options::Limits;
use crate::{Error, Result};

/// Entries smaller than this may compress at any ratio: a short XML of
/// repeated tags is legitimately very compressible.
const RATIO_FLOOR: u64 = 1 << 20;

/// Check a zip container's directory; `format` names it in messages.
pub(crate) fn check_zip<R: Read + Seek>(
    reader: R,
    format: &'static str,
    limits: &Limits,
) -> Result<()> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| Error::format(format, e))?;
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| Error::format(format, e))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        total = total.saturating_add(size);
        let bomb = |reason: String| Error::ArchiveBomb {
            entry: entry
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("entry {i}")),
            uncompressed: size,
            compressed: packed,
            reason,
        };
        if total > limits.max_unzipped_bytes {
            return Err(bomb(format!(
                "the archive would expand past limits.max_unzipped_bytes = {}",
                limits.max_unzipped_bytes
            )));
        }
        if size > RATIO_FLOOR && size / packed.max(1) > limits.max_zip_ratio {
            return Err(bomb(format!(
                "compression ratio {}:1 is above limits.max_zip_ratio = {}",
                size / packed.max(1),
                limits.max_zip_ratio
            )));
        }
    }
    Ok(())
}
