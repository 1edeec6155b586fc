//! Records of a chunk, as views of their fields: tokenised by the `csv`
//! crate in general, or by a plain splitter when the chunk has no quotes.
//!
//! Text without a quote character and without a carriage return other than
//! in `\r\n` has no escapes: a record is a line, fields are cut at the
//! delimiter. The plain splitter finds them with `memchr` and gives the
//! same records, in the same order and with the same line numbers, as the
//! `csv` crate (whose rules are followed exactly: blank lines are skipped,
//! `\r\n` ends a record, and a record's line is where the reader stood
//! when it began looking for it — for `\r\n` endings that is before the
//! `\n` of the previous record). The test below holds both to that.

use std::ops::Range;

use csv::ByteRecord;

/// One record: field `j` is `text[bounds[j]]`.
pub(crate) struct Fields<'a> {
    text: &'a [u8],
    bounds: &'a [Range<usize>],
}

impl<'a> Fields<'a> {
    pub(crate) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Field `j`'s bytes.
    pub(crate) fn bytes(&self, j: usize) -> &'a [u8] {
        &self.text[self.bounds[j].clone()]
    }

    /// Field `j`'s text.
    pub(crate) fn text(&self, j: usize) -> &'a str {
        crate::cell::field_text(self.bytes(j))
    }

    /// The longest field's length in bytes.
    pub(crate) fn widest(&self) -> usize {
        self.bounds.iter().map(|r| r.len()).max().unwrap_or(0)
    }
}

/// Whether `text` can take the plain splitter: no quote, and every `\r`
/// followed by `\n`.
pub(crate) fn is_plain(text: &[u8]) -> bool {
    memchr::memchr(b'"', text).is_none()
        && memchr::memchr_iter(b'\r', text).all(|i| text.get(i + 1) == Some(&b'\n'))
}

/// Call `row(line, fields)` for every record of plain text (see
/// [`is_plain`]) until it returns `false`, with lines as the `csv` crate
/// reports them. Delimiters and line feeds are found in one scan
/// (`memchr2`); the delimiter is never a line break (options refuse it).
pub(crate) fn plain_records<E>(
    text: &[u8],
    delimiter: u8,
    mut row: impl FnMut(u64, &Fields) -> Result<bool, E>,
) -> Result<(), E> {
    let mut bounds: Vec<Range<usize>> = Vec::new();
    // Where the current line and field begin.
    let (mut line_start, mut field_start) = (0usize, 0usize);
    let mut physical = 0u64;
    // The line the csv reader stands on when it starts the next record.
    let mut reader_line = 1u64;
    let ends = memchr::memchr2_iter(delimiter, b'\n', text).chain(
        // A last line without a line feed ends at the end of the text.
        (text.last().is_some_and(|&c| c != b'\n')).then_some(text.len()),
    );
    for i in ends {
        if i < text.len() && text[i] == delimiter {
            bounds.push(field_start..i);
            field_start = i + 1;
            continue;
        }
        physical += 1;
        let crlf = i > line_start && text[i - 1] == b'\r';
        let end = if crlf { i - 1 } else { i };
        let start = line_start;
        line_start = i + 1;
        if end == start {
            // A blank line (it has no delimiter, so `bounds` is empty).
            field_start = line_start;
            continue;
        }
        bounds.push(field_start..end);
        field_start = line_start;
        let line = reader_line;
        // A `\n` ending is consumed with the record; the `\n` of `\r\n`
        // only when the next record is read.
        reader_line = if crlf { physical } else { physical + 1 };
        let go_on = row(
            line,
            &Fields {
                text,
                bounds: &bounds,
            },
        )?;
        bounds.clear();
        if !go_on {
            break;
        }
    }
    Ok(())
}

/// `rec` as [`Fields`], with `bounds` as the scratch space.
pub(crate) fn record_fields<'a>(
    rec: &'a ByteRecord,
    bounds: &'a mut Vec<Range<usize>>,
) -> Fields<'a> {
    bounds.clear();
    bounds.extend((0..rec.len()).map(|j| rec.range(j).expect("a field of the record")));
    Fields {
        text: rec.as_slice(),
        bounds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_csv(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut rec = ByteRecord::new();
        let mut out = Vec::new();
        let mut bounds = Vec::new();
        while r.read_byte_record(&mut rec).unwrap() {
            let line = rec.position().unwrap().line();
            let f = record_fields(&rec, &mut bounds);
            out.push((line, (0..f.len()).map(|j| f.text(j).to_string()).collect()));
        }
        out
    }

    fn by_plain(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        plain_records::<()>(text.as_bytes(), b',', |line, f| {
            out.push((line, (0..f.len()).map(|j| f.text(j).to_string()).collect()));
            Ok(true)
        })
        .unwrap();
        out
    }

    #[test]
    fn plain_splitting_gives_the_csv_crate_s_records_and_lines() {
        for text in [
            "a,b\n1,2\n",
            "a,b\n1,2",
            "a\r\nb\r\nc",
            "a\r\n\r\nb\r\n",
            "\n\na,b\nc\n",
            "a,b\n,\n\n",
            " \nx,\n,y",
            "a,b\r\n\n\r\n1,2\n3,4\r\n",
            "ü,ж\n€,😀\n",
            "",
            "\n",
            "\r\n\r\n",
            ",,,\n",
        ] {
            assert!(is_plain(text.as_bytes()), "{text:?}");
            assert_eq!(by_plain(text), by_csv(text), "{text:?}");
        }
    }

    #[test]
    fn random_plain_texts_split_as_the_csv_crate_splits_them() {
        // Texts of a, ',', ' ', '\n' and '\r\n' pieces from a fixed LCG.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let pieces = ["a", "bc", ",", " ", "\n", "\r\n", "ж"];
        for _ in 0..2_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 59) as usize;
            let mut text = String::new();
            for _ in 0..len {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            assert!(is_plain(text.as_bytes()), "{text:?}");
            assert_eq!(by_plain(&text), by_csv(&text), "{text:?}");
        }
    }

    #[test]
    fn quotes_and_lone_carriage_returns_are_not_plain() {
        assert!(!is_plain(b"a,\"b\"\n"));
        assert!(!is_plain(b"a\rb\n"));
        assert!(!is_plain(b"a\r"));
        assert!(!is_plain(b"a\r\r\n"));
    }

    #[test]
    fn the_callback_can_stop_the_split() {
        let mut n = 0;
        plain_records::<()>(b"1\n2\n3\n", b',', |_, _| {
            n += 1;
            Ok(n < 2)
        })
        .unwrap();
        assert_eq!(n, 2);
    }
}
