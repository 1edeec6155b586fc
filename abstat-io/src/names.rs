//! Column names made safe: ASCII identifiers `[A-Za-z_][A-Za-z0-9_]*`, unique
//! without regard to case, at most 64 characters. The original name is kept
//! as the field's label (Arrow metadata key [`LABEL_KEY`]).
//!
//! Cyrillic is transliterated (a simplified ISO 9 / GOST 7.79-B scheme) so
//! that Russian headers stay readable (`Выручка` → `Vyruchka`); other
//! characters that are not ASCII letters or digits become `_`, runs of `_`
//! collapse and are trimmed; an empty result becomes `column_<n>`; a leading
//! digit gets a `c_` prefix; duplicates get `_2`, `_3`, ….

use std::collections::{HashMap, HashSet};

use arrow_schema::Field;

use crate::report::RenamedColumn;

/// The metadata key holding a field's original name.
pub const LABEL_KEY: &str = "abstat.label";

const MAX_LEN: usize = 64;

fn translit(c: char) -> Option<&'static str> {
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "yo",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' => "",
        'ы' => "y",
        'ь' => "",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        _ => return None,
    })
}

/// The safe form of one name, before making it unique.
fn safe(original: &str, index: usize) -> String {
    let mut out = String::with_capacity(original.len());
    for c in original.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if let Some(t) = translit(c) {
            if c.is_uppercase() {
                let mut it = t.chars();
                if let Some(first) = it.next() {
                    out.push(first.to_ascii_uppercase());
                    out.extend(it);
                }
            } else {
                out.push_str(t);
            }
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let mut s = out.trim_matches('_').to_string();
    if s.is_empty() {
        s = format!("column_{}", index + 1);
    } else if s.as_bytes()[0].is_ascii_digit() {
        s.insert_str(0, "c_");
    }
    s.truncate(MAX_LEN);
    s
}

/// Normalise `originals` into unique safe identifiers; also returns the
/// renames (only names that changed).
pub fn normalise(originals: &[String]) -> (Vec<String>, Vec<RenamedColumn>) {
    let bases: Vec<String> = originals
        .iter()
        .enumerate()
        .map(|(i, o)| safe(o, i))
        .collect();
    // Names that are already safe and unique keep priority over suffixed ones.
    let mut taken: HashSet<String> = HashSet::new();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for b in &bases {
        *counts.entry(b.to_ascii_lowercase()).or_default() += 1;
    }
    let mut names = Vec::with_capacity(bases.len());
    for b in bases {
        let key = b.to_ascii_lowercase();
        let mut name = b.clone();
        if taken.contains(&key) {
            let mut k = 2;
            loop {
                let suffix = format!("_{k}");
                let mut cand = b.clone();
                cand.truncate(MAX_LEN - suffix.len());
                cand.push_str(&suffix);
                if !taken.contains(&cand.to_ascii_lowercase())
                    && !counts.contains_key(&cand.to_ascii_lowercase())
                {
                    name = cand;
                    break;
                }
                k += 1;
            }
        }
        taken.insert(name.to_ascii_lowercase());
        names.push(name);
    }
    let renamed = originals
        .iter()
        .zip(&names)
        .filter(|(o, n)| o != n)
        .map(|(o, n)| RenamedColumn {
            original: o.clone(),
            name: n.clone(),
        })
        .collect();
    (names, renamed)
}

/// A field named `name` that remembers `original` as its label.
pub(crate) fn labelled(field: Field, name: &str, original: &str) -> Field {
    let mut meta = field.metadata().clone();
    meta.insert(LABEL_KEY.to_string(), original.to_string());
    field.with_name(name).with_metadata(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(v: &[&str]) -> Vec<String> {
        normalise(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>()).0
    }

    #[test]
    fn hostile_names_become_unique_identifiers() {
        assert_eq!(
            norm(&[
                "id",
                "id",
                "ID",
                "",
                "a\"b`c",
                "x\ny",
                "💰 revenue",
                "1st",
                "x'; DROP TABLE t;--",
                "Выручка, ₽",
            ]),
            [
                "id",
                "id_2",
                "ID_3",
                "column_4",
                "a_b_c",
                "x_y",
                "revenue",
                "c_1st",
                "x_DROP_TABLE_t",
                "Vyruchka"
            ]
        );
    }

    #[test]
    fn a_suffix_never_collides_with_a_real_name() {
        assert_eq!(norm(&["a", "a", "a_2"]), ["a", "a_3", "a_2"]);
    }
}
