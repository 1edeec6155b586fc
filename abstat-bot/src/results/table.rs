//! Monospace tables for `<pre>` blocks: columns padded to their widest
//! cell, the first column left-aligned and the others right-aligned.

use crate::texts::escape;

/// Rows of cells as an escaped `<pre>` block.
pub(super) fn pre(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width = |c: usize| {
        rows.iter()
            .filter_map(|r| r.get(c))
            .map(|cell| cell.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(c, cell)| {
                    let pad = " ".repeat(widths[c] - cell.chars().count());
                    if c == 0 {
                        format!("{cell}{pad}")
                    } else {
                        format!("{pad}{cell}")
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        })
        .collect();
    format!("<pre>{}</pre>", escape(&lines.join("\n")))
}

/// A cell shortened to `max` characters (long column names).
pub(super) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_and_cells_escaped() {
        let rows = vec![
            vec!["term".to_string(), "coef".to_string()],
            vec!["x<1".to_string(), "−0.5".to_string()],
            vec!["intercept".to_string(), "12.25".to_string()],
        ];
        assert_eq!(
            pre(&rows),
            "<pre>term        coef\nx&lt;1         −0.5\nintercept  12.25</pre>"
        );
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
