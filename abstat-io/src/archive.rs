//! Refusing zip bombs before a spreadsheet library inflates them.
//!
//! First the central directory's declared sizes are checked against
//! [`Limits::max_unzipped_bytes`] (all entries together) and
//! [`Limits::max_zip_ratio`] (each entry over 1 MiB), without
//! decompressing anything. Because those sizes are written by whoever made
//! the file and can lie, each entry is then inflated into a counting sink
//! (nothing is kept) and refused as soon as it passes its declared size or
//! the total limit. This costs one extra decompression of the workbook,
//! bounded by the limits.

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
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| Error::format(format, e))?;
        let declared = entry.size();
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("entry {i}"));
        let packed = entry.compressed_size();
        let budget = declared.min(limits.max_unzipped_bytes.saturating_sub(total));
        let (actual, past_declared) =
            inflate_count(&mut entry, budget + 1).map_err(|e| Error::format(format, e))?;
        total += actual;
        if actual > budget || past_declared {
            return Err(Error::ArchiveBomb {
                entry: name,
                uncompressed: actual,
                compressed: packed,
                reason: format!(
                    "it inflates past its declared size of {declared} bytes or past limits.max_unzipped_bytes"
                ),
            });
        }
    }
    Ok(())
}

/// Inflate up to `max` bytes into nothing, counting them. The zip reader
/// itself fails on the byte after an entry's declared size; that failure
/// is reported as `past_declared` rather than as damage.
fn inflate_count(r: &mut impl Read, max: u64) -> std::io::Result<(u64, bool)> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    while n < max {
        let want = buf.len().min((max - n) as usize);
        match r.read(&mut buf[..want]) {
            Ok(0) => break,
            Ok(k) => n += k as u64,
            Err(e) if e.to_string().contains("declared") => return Ok((max.max(n + 1), true)),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((n, false))
}
