//! Column type inference: every non-null cell narrows the set of types the
//! column can have; the narrowest type left wins, in the order boolean,
//! integer, float, date, datetime, string. A column with no values at all
//! is string (all null).

use crate::cell;
use crate::options::ColumnType;

/// What a column can still be after the cells seen so far.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TypeGuess {
    boolean: bool,
    integer: bool,
    float: bool,
    date: bool,
    datetime: bool,
    non_null: u64,
}

impl Default for TypeGuess {
    fn default() -> Self {
        TypeGuess {
            boolean: true,
            integer: true,
            float: true,
            date: true,
            datetime: true,
            non_null: 0,
        }
    }
}

impl TypeGuess {
    /// Narrow by one non-null cell text.
    pub(crate) fn observe_text(&mut self, raw: &str, decimal: char) {
        if self.observe_plain(raw.as_bytes(), decimal) {
            return;
        }
        self.non_null += 1;
        let s = raw.trim();
        if self.boolean {
            self.boolean = cell::parse_bool(s).is_some();
        }
        if self.integer {
            self.integer = cell::parse_int(s, decimal).is_some();
        }
        if self.float && !self.integer {
            self.float = cell::parse_float(s, decimal).is_some();
        }
        if self.date {
            self.date = cell::parse_date(s).is_some();
        }
        if self.datetime && !self.date {
            self.datetime = cell::parse_datetime(s).is_some();
        }
    }

    /// Narrow by a non-null cell if it is a plain number (see
    /// [`cell::plain_number`]); `false`, with nothing observed, otherwise.
    /// A plain number is neither a boolean nor a date: decided without
    /// trying those parsers (they would reject it).
    pub(crate) fn observe_plain(&mut self, raw: &[u8], decimal: char) -> bool {
        match cell::plain_number(raw, decimal) {
            Some(cell::Plain::Integer(Some(_))) => self.exclude_non_numbers(),
            Some(cell::Plain::Decimal(_)) => {
                self.exclude_non_numbers();
                self.integer = false;
            }
            _ => return false,
        }
        self.non_null += 1;
        true
    }

    fn exclude_non_numbers(&mut self) {
        self.boolean = false;
        self.date = false;
        self.datetime = false;
    }

    /// Narrow by a typed cell (spreadsheets).
    pub(crate) fn observe_typed(&mut self, t: ColumnType) {
        self.non_null += 1;
        let (b, i, f, d, dt) = match t {
            ColumnType::Boolean => (true, false, false, false, false),
            ColumnType::Integer => (false, true, true, false, false),
            ColumnType::Float => (false, false, true, false, false),
            ColumnType::Date => (false, false, false, true, true),
            ColumnType::Datetime => (false, false, false, false, true),
            ColumnType::String => (false, false, false, false, false),
        };
        self.boolean &= b;
        self.integer &= i;
        self.float &= f;
        self.date &= d;
        self.datetime &= dt;
    }

    /// Narrow by everything `other` saw (another chunk of the same column).
    pub(crate) fn merge(&mut self, other: &TypeGuess) {
        self.boolean &= other.boolean;
        self.integer &= other.integer;
        self.float &= other.float;
        self.date &= other.date;
        self.datetime &= other.datetime;
        self.non_null += other.non_null;
    }

    /// Whether no value (only nulls, or nothing) has been seen.
    pub(crate) fn is_unseen(&self) -> bool {
        self.non_null == 0
    }

    /// Whether every type but string is ruled out (no need to look further).
    pub(crate) fn is_string(&self) -> bool {
        self.non_null > 0
            && !(self.boolean || self.integer || self.float || self.date || self.datetime)
    }

    /// The narrowest type that fits every cell seen.
    pub(crate) fn resolve(&self) -> ColumnType {
        if self.non_null == 0 {
            ColumnType::String
        } else if self.boolean {
            ColumnType::Boolean
        } else if self.integer {
            ColumnType::Integer
        } else if self.float {
            ColumnType::Float
        } else if self.date {
            ColumnType::Date
        } else if self.datetime {
            ColumnType::Datetime
        } else {
            ColumnType::String
        }
    }
}

/// Whether a text parses as `t` (used for header detection).
pub(crate) fn fits(s: &str, t: ColumnType, decimal: char) -> bool {
    match t {
        ColumnType::Boolean => cell::parse_bool(s).is_some(),
        ColumnType::Integer => cell::parse_int(s, decimal).is_some(),
        ColumnType::Float => cell::parse_float(s, decimal).is_some(),
        ColumnType::Date => cell::parse_date(s).is_some(),
        ColumnType::Datetime => cell::parse_datetime(s).is_some(),
        ColumnType::String => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(cells: &[&str], decimal: char) -> ColumnType {
        let mut g = TypeGuess::default();
        for c in cells {
            g.observe_text(c, decimal);
        }
        g.resolve()
    }

    #[test]
    fn narrowest_type_wins() {
        assert_eq!(guess(&["1", "2"], '.'), ColumnType::Integer);
        assert_eq!(guess(&["1", "2.5"], '.'), ColumnType::Float);
        assert_eq!(guess(&["1", "2,5"], ','), ColumnType::Float);
        assert_eq!(guess(&["1", "2,5"], '.'), ColumnType::String);
        assert_eq!(guess(&["true", "False"], '.'), ColumnType::Boolean);
        assert_eq!(guess(&["2024-01-01", "01.02.2024"], '.'), ColumnType::Date);
        assert_eq!(
            guess(&["2024-01-01", "2024-01-01 10:00"], '.'),
            ColumnType::Datetime
        );
        assert_eq!(guess(&[], '.'), ColumnType::String);
    }
}
