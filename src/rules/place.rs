//! Places in a TOML source: which key holds the value at an offset (serde's errors
//! carry a span but not the key), and where each key of a table is written.

use std::ops::Range;

use toml_edit::{Document, Item, TableLike, Value};

/// The names of the keys leading to the innermost value that contains `offset`, from
/// the top: `["rule", "suggestions"]` for a suggestion of a `[[rule]]`. Array positions
/// are left out. Empty when the source does not parse or no value is there.
pub fn key_path_at(source: &str, offset: usize) -> Vec<String> {
    let Ok(doc) = Document::parse(source) else { return Vec::new() };
    let mut path = Vec::new();
    in_table(doc.as_table(), offset, &mut path);
    path
}

/// Each key of the table at `table_path` (`[]` for the top level) with the byte ranges
/// where the key and its value are written; empty when there is no such table.
pub fn key_spans(source: &str, table_path: &[&str]) -> Vec<(String, Range<usize>, Range<usize>)> {
    let Ok(doc) = Document::parse(source) else { return Vec::new() };
    let mut table: &dyn TableLike = doc.as_table();
    for name in table_path {
        let Some(inner) = table.get(name).and_then(Item::as_table_like) else { return Vec::new() };
        table = inner;
    }
    table
        .iter()
        .filter_map(|(name, _)| {
            let (key, item) = table.get_key_value(name)?;
            let key = key.span()?;
            Some((name.to_owned(), key.clone(), item.span().unwrap_or(key)))
        })
        .collect()
}

fn contains(span: Option<Range<usize>>, offset: usize) -> bool {
    span.is_some_and(|span| span.start <= offset && (offset < span.end || span.is_empty()))
}

/// Looks for `offset` in a table's values; true when found (and `path` extended).
fn in_table(table: &dyn TableLike, offset: usize, path: &mut Vec<String>) -> bool {
    for (name, item) in table.iter() {
        path.push(name.to_owned());
        if in_item(item, offset, path) {
            return true;
        }
        path.pop();
    }
    false
}

fn in_item(item: &Item, offset: usize, path: &mut Vec<String>) -> bool {
    match item {
        // A `[table]` or dotted keys: the header's span says nothing about the values.
        Item::Table(table) => in_table(table, offset, path),
        Item::ArrayOfTables(tables) => tables.iter().any(|table| in_table(table, offset, path)),
        Item::Value(value) => in_value(value, offset, path),
        Item::None => false,
    }
}

fn in_value(value: &Value, offset: usize, path: &mut Vec<String>) -> bool {
    if !contains(value.span(), offset) {
        return false;
    }
    match value {
        Value::Array(array) => {
            array.iter().any(|element| in_value(element, offset, path));
        }
        Value::InlineTable(table) => {
            in_table(table, offset, path);
        }
        _ => {}
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_of_a_value_in_an_array_of_tables() {
        let source = "[[rule]]\nid = \"a.b\"\n\n[[rule]]\nid = \"c.d\"\nsuggestions = [\"x\"]\nexamples.flag = [1]\n";
        assert_eq!(key_path_at(source, source.find("\"x\"").unwrap()), ["rule", "suggestions"]);
        assert_eq!(key_path_at(source, source.find("[1]").unwrap() + 1), ["rule", "examples", "flag"]);
        assert_eq!(key_path_at(source, source.find("c.d").unwrap()), ["rule", "id"]);
        assert!(key_path_at(source, 0).is_empty());
    }

    #[test]
    fn the_keys_of_a_table_and_where_they_are() {
        let source = "packs = []\n[rules]\nclarity = \"off\"\n\"pressure.asap\" = \"error\"\n";
        let spans = key_spans(source, &["rules"]);
        let names: Vec<&str> = spans.iter().map(|(name, ..)| name.as_str()).collect();
        assert_eq!(names, ["clarity", "pressure.asap"]);
        assert_eq!(&source[spans[1].1.clone()], "\"pressure.asap\"");
        assert_eq!(&source[spans[1].2.clone()], "\"error\"");
        assert!(key_spans(source, &["nothing"]).is_empty());
    }
}
