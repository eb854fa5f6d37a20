//! Engine errors met while a table is computed, described for the person who
//! wrote the pipeline. A table is lazy, so such an error shows where the table
//! is finally computed (an output, a write, a second reader), often far from
//! the node that read the file: the description names that file and node,
//! and for a CSV value that does not parse, the line of the file, the column
//! by name and the row.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use pipec_compiler::tables::schema::CsvValueError;

/// A file a table's plan reads, and the node that reads it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Source {
    /// The reading node.
    pub node: String,
    /// The path as the node gave it.
    pub path: String,
    /// The reader's columns in the file's order (the engine names a column
    /// by its index).
    pub columns: Vec<String>,
    /// The field delimiter, for a CSV file.
    pub delimiter: Option<u8>,
}

/// `message` (an engine error met while computing a table that reads
/// `sources`) with the file, node and place named.
pub(super) fn describe(message: &str, sources: &[Source]) -> String {
    if let Some(described) = csv_value(message, sources) {
        return described;
    }
    // A message that names a file already says where it is.
    if sources.is_empty() || sources.iter().any(|s| message.contains(s.path.as_str())) {
        return message.to_string();
    }
    let files: Vec<String> = sources
        .iter()
        .map(|s| format!("`{}` (node `{}`)", s.path, s.node))
        .collect();
    format!("{message} (the table reads {})", files.join(", "))
}

/// A CSV value that does not parse: which file, line and column.
fn csv_value(message: &str, sources: &[Source]) -> Option<String> {
    let CsvValueError {
        value,
        type_name,
        column,
        row,
        ..
    } = CsvValueError::parse(message)?;
    let candidates: Vec<&Source> = sources
        .iter()
        .filter(|s| s.delimiter.is_some() && column < s.columns.len())
        .collect();
    let located = candidates.iter().find_map(|source| {
        let delimiter = source.delimiter?;
        line_of_row(&source.path, delimiter, &row).map(|line| (*source, Some(line)))
    });
    let (source, line) = match located {
        Some(found) => found,
        // Not found as written (quoted fields): the one CSV source, no line.
        None => match candidates.as_slice() {
            [only] => (*only, None),
            _ => return None,
        },
    };
    let place = match line {
        Some(line) => format!("`{}` line {line}", source.path),
        None => format!("`{}`", source.path),
    };
    Some(format!(
        "{place}, column `{}` (read by node `{}`): '{value}' is not a valid {type_name}; the row is {row}",
        source.columns[column], source.node
    ))
}

/// The 1-based line of a local file whose fields, split at `delimiter`,
/// are `row` (the fields joined by commas, as the engine prints a row).
fn line_of_row(path: &str, delimiter: u8, row: &str) -> Option<usize> {
    if path.contains("://") || !Path::new(path).is_file() {
        return None;
    }
    let reader = BufReader::new(File::open(path).ok()?);
    for (index, line) in reader.split(b'\n').enumerate() {
        let line = line.ok()?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        let fields: Vec<&[u8]> = line.split(|b| *b == delimiter).collect();
        if fields.join(&b","[..]) == row.as_bytes() {
            return Some(index + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: &str) -> Source {
        Source {
            node: "orders".into(),
            path: path.into(),
            columns: vec!["id".into(), "amount".into()],
            delimiter: Some(b';'),
        }
    }

    #[test]
    fn a_value_that_does_not_parse_is_placed_at_its_line_and_column() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, "id;amount\r\n1;2.5\r\n2;x\r\n3;4\r\n").expect("write");
        let path = path.to_string_lossy().into_owned();
        // The engine counts records from the start of its part of the file.
        let message = "Arrow error: Parser error: Error while parsing value 'x' as type 'Float64' for column 1 at line 0. Row data: '[2,x]'";
        assert_eq!(
            describe(message, &[source(&path)]),
            format!(
                "`{path}` line 3, column `amount` (read by node `orders`): 'x' is not a valid Float64; the row is 2,x"
            )
        );
    }

    #[test]
    fn other_errors_name_the_files_and_their_readers() {
        let sources = [source("a.csv")];
        assert_eq!(
            describe("Cast error: no", &sources),
            "Cast error: no (the table reads `a.csv` (node `orders`))"
        );
        assert_eq!(
            describe("cannot read `a.csv`", &sources),
            "cannot read `a.csv`"
        );
        assert_eq!(describe("no sources", &[]), "no sources");
    }
}
