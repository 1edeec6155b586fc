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
