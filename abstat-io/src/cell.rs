//! Reading one text cell as a typed value: abstat's own rules for numbers
//! (decimal comma, thousands separators), booleans, dates and datetimes.
//!
//! - Integers: optional sign and digits, which may be grouped in threes by a
//!   thousands separator (space, no-break space, narrow no-break space, `'`,
//!   and `,` when the decimal mark is `.` or `.` when it is `,`):
//!   `1 234 567`, `1,234,567`, `1.234.567`.
//! - Floats: an integer part as above, the decimal mark, digits, an optional
//!   exponent; also `inf`/`infinity` (any case, signed). Grouping must be
//!   exact, so with decimal mark `.` the text `1,5` is not a number.
//! - Booleans: `true`/`false` in lower, upper or title case (as pandas).
//! - Dates: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD.MM.YYYY`.
//! - Datetimes: a date, then `T` or a space, `HH:MM`, optional `:SS` and
//!   fraction (to microseconds), and an optional `Z` or `±HH:MM` offset, which
//!   is applied to give UTC.

use std::borrow::Cow;

use chrono::NaiveDate;

/// Whether `s` (already trimmed) is one of the null spellings.
pub(crate) fn is_null(s: &str, nulls: &[String]) -> bool {
    s.is_empty() || nulls.iter().any(|n| n == s)
}

/// The null spellings of a read, with a shortcut for the common cell that
/// cannot be one: [`NullSpellings::contains`] is exactly
/// `is_null(raw.trim(), spellings)`.
#[derive(Debug, Clone)]
pub(crate) struct NullSpellings {
    spellings: Vec<String>,
    /// Whether some spelling starts with this byte.
    first_bytes: [bool; 256],
}

impl NullSpellings {
    pub(crate) fn new(spellings: &[String]) -> Self {
        let mut first_bytes = [false; 256];
        for s in spellings {
            if let Some(&b) = s.as_bytes().first() {
                first_bytes[usize::from(b)] = true;
            }
        }
        NullSpellings {
            spellings: spellings.to_vec(),
            first_bytes,
        }
    }

    /// Whether the untrimmed cell `raw` is null.
    pub(crate) fn contains(&self, raw: &str) -> bool {
        !self.surely_not(raw.as_bytes()) && is_null(raw.trim(), &self.spellings)
    }

    /// `true` when the cell's bytes cannot be null (nor be changed by
    /// trimming); `false` says nothing.
    #[inline]
    pub(crate) fn surely_not(&self, raw: &[u8]) -> bool {
        // An ASCII byte that is not whitespace at both ends means trimming
        // changes nothing (Unicode white space is ASCII or starts with a
        // byte ≥ 0xC2 and ends with one ≥ 0x80); then a first byte no
        // spelling starts with rules out every spelling.
        let solid = |b: u8| b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b;
        matches!((raw.first(), raw.last()), (Some(&first), Some(&last))
            if solid(first) && solid(last) && !self.first_bytes[usize::from(first)])
    }
}

/// A field's text. Fields are cut from UTF-8 text at ASCII bytes, so each
/// is valid UTF-8; the fallback never triggers.
pub(crate) fn field_text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("\u{FFFD}")
}

/// `true` / `false` as pandas reads them.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn is_group_sep(c: char, decimal: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\'')
        || (decimal == '.' && c == ',')
        || (decimal == ',' && c == '.')
}

/// Digits with thousands separators removed, if the grouping is exact
/// (`d{1,3}(sep d{3})+`, one separator throughout).
fn ungroup(int: &str, decimal: char) -> Option<String> {
    let mut sep: Option<char> = None;
    let mut out = String::with_capacity(int.len());
    let mut group_len = 0usize;
    let mut first_group = true;
    for c in int.chars() {
        if c.is_ascii_digit() {
            out.push(c);
            group_len += 1;
        } else if is_group_sep(c, decimal) {
            if sep.is_some_and(|s| s != c) {
                return None;
            }
            sep = Some(c);
            if (first_group && !(1..=3).contains(&group_len)) || (!first_group && group_len != 3) {
                return None;
            }
            first_group = false;
            group_len = 0;
        } else {
            return None;
        }
    }
    if sep.is_some() && group_len != 3 {
        return None;
    }
    Some(out)
}

/// The text in a form Rust's number parsers accept, or `None` if it is not
/// a number under these rules.
fn canonical(s: &str, decimal: char) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    // Fast path: plain ASCII digits, sign, the decimal dot, exponent.
    if decimal == '.'
        && b.iter()
            .all(|&c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return b.iter().any(u8::is_ascii_digit).then_some(Cow::Borrowed(s));
    }
    let (sign, body) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = match body.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let int_digits = if int.bytes().all(|c| c.is_ascii_digit()) {
        int.to_string()
    } else {
        ungroup(int, decimal)?
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(sign);
    out.push_str(&int_digits);
    if let Some(f) = frac {
        if f.contains(decimal)
            || !f
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'e' | b'E' | b'-' | b'+'))
        {
            return None;
        }
        out.push('.');
        out.push_str(f);
    }
    if int_digits.is_empty() && frac.is_none_or(|f| !f.starts_with(|c: char| c.is_ascii_digit())) {
        return None;
    }
    Some(Cow::Owned(out))
}

/// An integer under the rules above.
pub(crate) fn parse_int(s: &str, decimal: char) -> Option<i64> {
    match plain_number(s.as_bytes(), decimal) {
        Some(Plain::Integer(Some(v))) => return Some(v),
        Some(Plain::Decimal(_)) => return None,
        _ => {}
    }
    int_by_rules(s, decimal)
}

/// [`parse_int`] without the plain-number shortcut.
fn int_by_rules(s: &str, decimal: char) -> Option<i64> {
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let c = canonical(s, decimal)?;
    if c.contains(['.', 'e', 'E']) {
        return None;
    }
    c.parse().ok()
}

/// A float under the rules above.
pub(crate) fn parse_float(s: &str, decimal: char) -> Option<f64> {
    plain_float(s.as_bytes(), decimal).or_else(|| float_by_rules(s, decimal))
}

/// [`parse_float`] without the plain-number shortcut.
fn float_by_rules(s: &str, decimal: char) -> Option<f64> {
    if let Some(c) = canonical(s, decimal) {
        return c.parse().ok();
    }
    let lower = s.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned == "inf" || unsigned == "infinity" {
        return lower.parse().ok();
    }
    None
}

/// A cell that is a plain decimal number: an optional sign, ASCII digits
/// and at most one decimal mark followed by digits, nothing else (no
/// spaces, separators or exponent). Most numeric cells look like this, and
/// both the type inference and the parsers take a shortcut for them; any
/// other text goes through the general rules above.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Plain {
    /// `[+-]?[0-9]+`: an integer (its value when it has at most 18 digits).
    Integer(Option<i64>),
    /// `[+-]?[0-9]+<decimal>[0-9]+`: a float, not an integer (its value
    /// when the digits fit the exact shortcut below).
    Decimal(Option<f64>),
}

/// Powers of ten exactly representable as `f64` (10^0 to 10^22).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `b` as a [`Plain`] number with decimal mark `decimal`, if it is one.
///
/// Values: integers of at most 18 digits cannot overflow `i64`; a decimal
/// with at most 15 digits in all is `m / 10^k` with `m < 2^53`, where both
/// operands are exact and IEEE division rounds once, so the result is the
/// correctly rounded value that `str::parse::<f64>` gives (Clinger, "How to
/// read floating point numbers accurately", PLDI 1990, the fast path).
/// Longer numbers are classified but left to the general parsers.
#[inline]
pub(crate) fn plain_number(b: &[u8], decimal: char) -> Option<Plain> {
    let (negative, body) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    // One pass over the digits (this runs for every numeric cell, twice);
    // `m` is exact while it has at most 18 digits and only used then.
    let mut m = 0u64;
    let mut int_len = 0;
    for &c in body {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        int_len += 1;
    }
    if int_len == 0 {
        return None;
    }
    if int_len == body.len() {
        if int_len > 18 {
            return Some(Plain::Integer(None));
        }
        let v = m as i64;
        return Some(Plain::Integer(Some(if negative { -v } else { v })));
    }
    if u32::from(body[int_len]) != u32::from(decimal) {
        return None;
    }
    let frac = &body[int_len + 1..];
    if frac.is_empty() {
        return None;
    }
    for &c in frac {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
    }
    if int_len + frac.len() > 15 {
        return Some(Plain::Decimal(None));
    }
    let v = m as f64 / POW10[frac.len()];
    Some(Plain::Decimal(Some(if negative { -v } else { v })))
}

/// The value of a plain integer that fits the shortcut.
#[inline]
pub(crate) fn plain_int(b: &[u8], decimal: char) -> Option<i64> {
    match plain_number(b, decimal)? {
        Plain::Integer(v) => v,
        Plain::Decimal(_) => None,
    }
}

/// The value of a plain number that fits the shortcut, as a float.
#[inline]
pub(crate) fn plain_float(b: &[u8], decimal: char) -> Option<f64> {
    match plain_number(b, decimal)? {
        // 0 is left to the general parser, which keeps the sign of "-0".
        Plain::Integer(Some(v)) if v != 0 => Some(v as f64),
        Plain::Decimal(v) => v,
        Plain::Integer(_) => None,
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, &d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

fn date_of(b: &[u8]) -> Option<NaiveDate> {
    let (y, m, d) = match b.len() {
        10 if (b[4] == b'-' || b[4] == b'/') && b[7] == b[4] => {
            (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?)
        }
        10 if b[2] == b'.' && b[5] == b'.' => {
            (digits(&b[6..10])?, digits(&b[3..5])?, digits(&b[0..2])?)
        }
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// Days since 1970-01-01.
pub(crate) fn parse_date(s: &str) -> Option<i32> {
    use chrono::Datelike;
    date_of(s.as_bytes()).map(|d| d.num_days_from_ce() - EPOCH_DAYS_FROM_CE)
}

/// Microseconds since 1970-01-01T00:00:00 UTC. A bare date is midnight.
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 {
        return None;
    }
    let date = date_of(&b[..10])?;
    let mut micros = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp() * 1_000_000;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(micros);
    }
    if !(rest[0] == b'T' || rest[0] == b' ') || rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let h = digits(&rest[1..3])?;
    let mi = digits(&rest[4..6])?;
    let mut i = 6;
    let mut sec = 0;
    let mut frac_us = 0u32;
    if rest.len() >= 9 && rest[6] == b':' {
        sec = digits(&rest[7..9])?;
        i = 9;
        if rest.len() > 9 && (rest[9] == b'.' || rest[9] == b',') {
            let start = 10;
            let end = start
                + rest[start..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
            if end == start {
                return None;
            }
            let mut us = 0u32;
            for k in 0..6 {
                us = us * 10
                    + rest
                        .get(start + k)
                        .filter(|_| start + k < end)
                        .map_or(0, |d| u32::from(d - b'0'));
            }
            frac_us = us;
            i = end;
        }
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    micros += (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(sec)) * 1_000_000
        + i64::from(frac_us);
    let tz = &rest[i..];
    let offset_s: i64 = match tz {
        [] | [b'Z'] => 0,
        [sign @ (b'+' | b'-'), hh @ ..] if hh.len() == 5 && hh[2] == b':' => {
            let v = i64::from(digits(&hh[0..2])?) * 3600 + i64::from(digits(&hh[3..5])?) * 60;
            if *sign == b'+' { v } else { -v }
        }
        _ => return None,
    };
    Some(micros - offset_s * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_decimal_comma_and_thousands() {
        assert_eq!(parse_float("1,5", ','), Some(1.5));
        assert_eq!(parse_float("-1 234,25", ','), Some(-1234.25));
        assert_eq!(parse_float("1.234.567,5", ','), Some(1_234_567.5));
        assert_eq!(parse_float("1,234,567.5", '.'), Some(1_234_567.5));
        assert_eq!(parse_float("1,5", '.'), None);
        assert_eq!(parse_float("12,34,567", '.'), None);
        assert_eq!(parse_float("1e3", '.'), Some(1000.0));
        assert_eq!(parse_float("-inf", '.'), Some(f64::NEG_INFINITY));
        assert_eq!(parse_float(".5", '.'), Some(0.5));
        assert_eq!(parse_float("abc", '.'), None);
        assert_eq!(parse_float("-", '.'), None);
        assert_eq!(parse_int("1 000", ','), Some(1000));
        assert_eq!(parse_int("1.000", ','), Some(1000));
        assert_eq!(parse_int("1.5", '.'), None);
        assert_eq!(parse_int("99999999999999999999", '.'), None);
    }

    #[test]
    fn the_plain_number_shortcut_agrees_with_the_general_rules() {
        // SplitMix64 strings of signs, digits and marks around the
        // shortcut's limits (15 and 18 digits), compared bit for bit.
        let mut state = 0x5eed_u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            sketchless_mix(state)
        };
        let alphabet = b"0123456789000999.,-+ e";
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+0",
            "-0.0",
            "0.1",
            "1.",
            ".5",
            "-",
            "+",
            "",
            "1,5",
            "1.5",
            "1,500",
            "1.234,5",
            "123456789012345678",
            "1234567890123456789",
            "-9223372036854775808",
            "9007199254740993",
            "0.30000000000000004",
            "999999999999999.9",
            "99999999999999.99",
            "1e5",
            "00012",
            "-00012.50",
            "1 000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..200_000 {
            let len = 1 + (next() % 21) as usize;
            let mut s = String::new();
            for k in 0..len {
                let r = next();
                // Mostly digits, an occasional sign or mark.
                let c = if k == 0 && r % 5 == 0 {
                    b"-+"[(r >> 8) as usize % 2]
                } else if r % 9 == 0 {
                    alphabet[16 + (r >> 8) as usize % 6]
                } else {
                    alphabet[(r >> 8) as usize % 16]
                };
                s.push(char::from(c));
            }
            cases.push(s);
        }
        for s in &cases {
            for decimal in ['.', ','] {
                assert_eq!(
                    plain_number(s.as_bytes(), decimal).map(|p| format!("{p:?}")),
                    plain_number_by_passes(s.as_bytes(), decimal).map(|p| format!("{p:?}")),
                    "{s:?} {decimal}"
                );
                assert_eq!(
                    parse_int(s, decimal),
                    int_by_rules(s, decimal),
                    "{s:?} {decimal}"
                );
                assert_eq!(
                    parse_float(s, decimal).map(f64::to_bits),
                    float_by_rules(s, decimal).map(f64::to_bits),
                    "{s:?} {decimal}"
                );
            }
        }
    }

    /// The shortcut as first written (a pass per part), the reference of
    /// the one-pass [`plain_number`].
    fn plain_number_by_passes(b: &[u8], decimal: char) -> Option<Plain> {
        let (negative, body) = match b.first()? {
            b'-' => (true, &b[1..]),
            b'+' => (false, &b[1..]),
            _ => (false, b),
        };
        let int_len = body.iter().take_while(|c| c.is_ascii_digit()).count();
        if int_len == 0 {
            return None;
        }
        let mut m = 0u64;
        if int_len == body.len() {
            if int_len > 18 {
                return Some(Plain::Integer(None));
            }
            for &c in body {
                m = m * 10 + u64::from(c - b'0');
            }
            let v = m as i64;
            return Some(Plain::Integer(Some(if negative { -v } else { v })));
        }
        if u32::from(body[int_len]) != u32::from(decimal) {
            return None;
        }
        let frac = &body[int_len + 1..];
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if int_len + frac.len() > 15 {
            return Some(Plain::Decimal(None));
        }
        for &c in body[..int_len].iter().chain(frac) {
            m = m * 10 + u64::from(c - b'0');
        }
        let v = m as f64 / POW10[frac.len()];
        Some(Plain::Decimal(Some(if negative { -v } else { v })))
    }

    fn sketchless_mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    #[test]
    fn null_spellings_match_trimmed_cells_exactly() {
        let spellings: Vec<String> = crate::options::DEFAULT_NULLS
            .iter()
            .chain(&["0", "\u{a0}x"])
            .map(|s| s.to_string())
            .collect();
        let set = NullSpellings::new(&spellings);
        for raw in [
            "",
            " ",
            "NA",
            " NA",
            "NA\t",
            "NA\u{a0}",
            "\u{a0}NA",
            "\u{2003}null\u{3000}",
            "-",
            "-1",
            "1",
            "0",
            " 0 ",
            "x",
            "NaN",
            "nan",
            "N/A ",
            "\u{b}NA",
            "NA\u{b}",
            "ж",
        ] {
            assert_eq!(
                set.contains(raw),
                is_null(raw.trim(), &spellings),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn dates_and_datetimes() {
        assert_eq!(parse_date("1970-01-02"), Some(1));
        assert_eq!(parse_date("02.01.1970"), Some(1));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_datetime("1970-01-01T00:00:01.5"), Some(1_500_000));
        assert_eq!(parse_datetime("1970-01-01 01:00:00+01:00"), Some(0));
        assert_eq!(parse_datetime("1970-01-01 00:01Z"), Some(60_000_000));
        assert_eq!(parse_datetime("1970-01-01 25:00"), None);
    }
}
