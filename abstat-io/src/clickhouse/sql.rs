//! Every SQL statement the ClickHouse store sends is built here, by [`Sql`]:
//! fixed text can only be a `&'static str`, identifiers are always quoted
//! and escaped, string values always quoted and escaped, numbers formatted.
//! No text that came from a user or a file can reach the server unquoted,
//! so a column named ``x`); DROP TABLE y; --`` is just a column.

use std::fmt::Write;

use super::schema::{Kind, ROW_COLUMN, StoredField};

/// A SQL statement under construction.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sql(String);

/// Backslash-escape what ends or breaks a quoted token (ClickHouse docs,
/// "Syntax: identifiers / string literals"; the same set the `clickhouse`
/// crate escapes, plus carriage return and NUL).
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '`' => out.push_str("\\`"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
}

impl Sql {
    /// Fixed SQL text (a literal in this crate's source).
    pub(crate) fn text(mut self, text: &'static str) -> Self {
        self.0.push_str(text);
        self
    }

    /// An identifier (table or column), quoted with backticks.
    pub(crate) fn ident(mut self, name: &str) -> Self {
        self.0.push('`');
        escape(name, &mut self.0);
        self.0.push('`');
        self
    }

    /// Identifiers separated by commas.
    pub(crate) fn idents<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        for (i, n) in names.into_iter().enumerate() {
            if i > 0 {
                self = self.text(", ");
            }
            self = self.ident(n);
        }
        self
    }

    /// A string value, quoted.
    pub(crate) fn string(mut self, value: &str) -> Self {
        self.0.push('\'');
        escape(value, &mut self.0);
        self.0.push('\'');
        self
    }

    /// An unsigned integer value.
    pub(crate) fn number(mut self, n: u64) -> Self {
        write!(self.0, "{n}").expect("writing to a String");
        self
    }

    /// Another fragment built here.
    pub(crate) fn append(mut self, other: &Sql) -> Self {
        self.0.push_str(&other.0);
        self
    }

    /// The statement's text.
    pub(crate) fn finish(self) -> String {
        self.0
    }

    /// `CREATE TABLE` of one version: the row number, then the columns.
    pub(crate) fn create_version_table(table: &str, fields: &[StoredField]) -> Sql {
        let mut sql = Sql::default()
            .text("CREATE TABLE ")
            .ident(table)
            .text(" (")
            .ident(ROW_COLUMN)
            .text(" UInt64");
        for f in fields {
            sql = sql.text(", ").ident(&f.name).text(" ");
            // The type is built from our own type names, never user text.
            sql.0.push_str(&f.clickhouse_type());
        }
        sql.text(") ENGINE = MergeTree ORDER BY ").ident(ROW_COLUMN)
    }

    /// The A/B push-down: per variant label, `count()`, the count of rows
    /// with the metric (and covariate) present, and `Σy, Σy²` (then
    /// `Σx, Σx², Σxy` with a covariate) over those rows — the rules of
    /// [`crate::variant_moments`] in SQL. Rows with a NULL variant are
    /// left out by `WHERE`.
    ///
    /// The sums are compensated (`sumKahanIf`): a plain `sumIf` adds the
    /// parts in whatever order the server's threads finish, so its last
    /// digits changed from run to run (about 4e-14 relative between thread
    /// counts on a million rows), and the variance's cancellation (CUPED's
    /// above all) carried that into p-values at 1e-10. Compensated sums
    /// are within an ulp or so of the exact sum whatever the order.
    pub(crate) fn variant_moments(
        table: &str,
        variant: &StoredField,
        y: &StoredField,
        x: Option<&StoredField>,
    ) -> Sql {
        let label = match variant.kind {
            Kind::Boolean => Sql::default()
                .text("if(assumeNotNull(")
                .ident(&variant.name)
                .text(") != 0, 'true', 'false')"),
            _ => Sql::default()
                .text("toString(assumeNotNull(")
                .ident(&variant.name)
                .text("))"),
        };
        let (y, mut ok) = numeric_terms(y);
        let x = x.map(|x| {
            let (value, x_ok) = numeric_terms(x);
            ok = ok.clone().text(" AND ").append(&x_ok);
            value
        });
        let sum = |a: &Sql, b: Option<&Sql>| {
            let mut s = Sql::default().text(", sumKahanIf(").append(a);
            if let Some(b) = b {
                s = s.text(" * ").append(b);
            }
            s.text(", ").append(&ok).text(")")
        };
        let mut sql = Sql::default()
            .text("SELECT ")
            .append(&label)
            .text(" AS label, count(), countIf(")
            .append(&ok)
            .text(")")
            .append(&sum(&y, None))
            .append(&sum(&y, Some(&y)));
        if let Some(x) = &x {
            sql = sql
                .append(&sum(x, None))
                .append(&sum(x, Some(x)))
                .append(&sum(x, Some(&y)));
        }
        sql.text(" FROM ")
            .ident(table)
            .text(" WHERE isNotNull(")
            .ident(&variant.name)
            .text(") GROUP BY label ORDER BY label")
    }
}

/// A numeric column in the push-down: its value as Float64, and the
/// condition under which it counts (not NULL, and not NaN for floats).
fn numeric_terms(f: &StoredField) -> (Sql, Sql) {
    let value = Sql::default()
        .text("toFloat64(assumeNotNull(")
        .ident(&f.name)
        .text("))");
    let mut ok = Sql::default().text("isNotNull(").ident(&f.name).text(")");
    if f.kind == Kind::Float64 {
        ok = ok
            .text(" AND NOT isNaN(assumeNotNull(")
            .ident(&f.name)
            .text("))");
    }
    (value, ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside_their_quotes() {
        let sql = Sql::default()
            .text("SELECT ")
            .idents(["x`); DROP TABLE y; --", "a\\`b", "new\nline"])
            .text(" WHERE id = ")
            .string("it's")
            .finish();
        assert_eq!(
            sql,
            "SELECT `x\\`); DROP TABLE y; --`, `a\\\\\\`b`, `new\\nline` WHERE id = 'it\\'s'"
        );
    }
}
