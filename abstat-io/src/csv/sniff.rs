//! Guessing a delimited text's dialect from a sample: the delimiter, the
//! decimal mark and whether the first row is a header.

use crate::cell;
use crate::infer::{TypeGuess, fits};
use crate::options::ColumnType;

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
const SAMPLE_RECORDS: usize = 200;

/// The sample split into records with `delimiter`; the last record is
/// dropped when the sample was cut from a longer text.
pub(crate) fn records(sample: &str, delimiter: u8, complete: bool) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample.as_bytes());
    let mut out: Vec<Vec<String>> = r
        .records()
        .take(SAMPLE_RECORDS + 1)
        .filter_map(|rec| rec.ok())
        .map(|rec| rec.iter().map(|f| f.trim().to_string()).collect())
        .collect();
    if !complete && out.len() > 1 {
        out.pop();
    }
    out.truncate(SAMPLE_RECORDS);
    out
}

fn looks_typed(s: &str, decimal: char, nulls: &[String]) -> bool {
    cell::is_null(s, nulls)
        || cell::parse_float(s, decimal).is_some()
        || cell::parse_date(s).is_some()
        || cell::parse_bool(s).is_some()
        || cell::parse_datetime(s).is_some()
}

/// The delimiter whose records have the most consistent field count (more
/// than one field), then the most fields that read as typed values, then
/// the order `,` `;` tab `|`.
pub(crate) fn delimiter(sample: &str, complete: bool, nulls: &[String]) -> u8 {
    let mut best = (b',', (0u32, 0u32, 0usize));
    for (i, &d) in CANDIDATES.iter().enumerate() {
        let recs = records(sample, d, complete);
        if recs.is_empty() {
            continue;
        }
        let mut counts: Vec<usize> = recs.iter().map(Vec::len).collect();
        counts.sort_unstable();
        let modal = mode(&counts);
        if modal < 2 {
            continue;
        }
        let consistent = recs.iter().filter(|r| r.len() == modal).count();
        let consistency = (consistent * 100 / recs.len()) as u32;
        let decimal = if d == b',' { '.' } else { ',' };
        let body = recs.iter().skip(1).flatten();
        let (typed, total) = body.fold((0usize, 0usize), |(t, n), f| {
            (t + usize::from(looks_typed(f, decimal, nulls)), n + 1)
        });
        let typed_pct = (typed * 100).checked_div(total).unwrap_or(0) as u32;
        let score = (consistency, typed_pct, CANDIDATES.len() - i);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn mode(sorted: &[usize]) -> usize {
    let mut best = (0, 0);
    let mut i = 0;
    while i < sorted.len() {
        let j = sorted[i..].iter().take_while(|&&c| c == sorted[i]).count();
        if j > best.1 {
            best = (sorted[i], j);
        }
        i += j;
    }
    best.0
}

/// `,` when the body has more numbers written with a decimal comma than
/// with a decimal dot (never when the delimiter is itself a comma).
pub(crate) fn decimal(recs: &[Vec<String>], delimiter: u8) -> char {
    if delimiter == b',' {
        return '.';
    }
    let (mut comma, mut dot) = (0usize, 0usize);
    for f in recs.iter().skip(1).flatten() {
        if f.contains(',') && cell::parse_float(f, ',').is_some() {
            comma += 1;
        } else if f.contains('.') && cell::parse_float(f, '.').is_some() {
            dot += 1;
        }
    }
    if comma > dot { ',' } else { '.' }
}

/// Whether the first record is a header: columns whose body has a type
/// other than string vote "header" when the first cell does not fit that
/// type and "data" when it does; with no such column, the first row is a
/// header unless one of its cells is a typed value.
pub(crate) fn has_header(recs: &[Vec<String>], decimal: char, nulls: &[String]) -> bool {
    let Some(first) = recs.first() else {
        return true;
    };
    let (mut header, mut data) = (0, 0);
    for (j, head) in first.iter().enumerate() {
        let mut g = TypeGuess::default();
        for r in &recs[1..] {
            if let Some(s) = r.get(j)
                && !cell::is_null(s, nulls)
            {
                g.observe_text(s, decimal);
            }
        }
        let t = g.resolve();
        if t == ColumnType::String {
            continue;
        }
        if !cell::is_null(head, nulls) && fits(head, t, decimal) {
            data += 1;
        } else {
            header += 1;
        }
    }
    if header + data == 0 {
        return !first
            .iter()
            .any(|s| !cell::is_null(s, nulls) && looks_typed(s, decimal, nulls));
    }
    header > data
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nulls() -> Vec<String> {
        crate::options::DEFAULT_NULLS
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn sniffs_semicolons_with_decimal_commas() {
        let s = "город;цена;кол-во\nМосква;1,5;3\nКазань;2,25;4\nТверь;3,5;1\n";
        let d = delimiter(s, true, &nulls());
        assert_eq!(d, b';');
        let recs = records(s, d, true);
        assert_eq!(decimal(&recs, d), ',');
        assert!(has_header(&recs, ',', &nulls()));
    }

    #[test]
    fn sniffs_tabs_pipes_and_headerless_data() {
        assert_eq!(delimiter("a\tb\n1\t2\n3\t4\n", true, &nulls()), b'\t');
        assert_eq!(delimiter("a|b\n1|2\n3|4\n", true, &nulls()), b'|');
        let s = "\"x, y\",b\n\"1,5\",2\n\"3,5\",4\n";
        assert_eq!(delimiter(s, true, &nulls()), b',');
        let recs = records("1,2\n3,4\n", b',', true);
        assert!(!has_header(&recs, '.', &nulls()));
    }
}
