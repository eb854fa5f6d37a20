//! Where a table's schema comes from before anything runs: a declared schema
//! (`schema: "id int, amount float"`) or the source file itself (a CSV header
//! and the types of its first rows, Parquet metadata, newline-delimited JSON).

use std::fs::File;
use std::io::{BufReader, Seek};
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::csv::reader::Format;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::json::reader::infer_json_schema_from_seekable;
use datafusion::parquet::arrow::arrow_reader::ArrowReaderMetadata;
use datafusion::parquet::arrow::arrow_reader::ArrowReaderOptions;

/// How many records schema inference reads (as DataFusion does).
const INFER_RECORDS: usize = 1000;

/// A declared schema, `name type, name type, ...` with the language's table
/// column types (`int`, `float`, `string`, `bool`, `date`, `timestamp`) or
/// SQL names for them; every column is nullable.
pub fn declared_schema(text: &str) -> Result<Schema, String> {
    let mut fields = Vec::new();
    for column in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let mut words = column.split_whitespace();
        let (Some(name), Some(ty), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!(
                "schema column `{column}` is not `name type` (e.g. `amount float`)"
            ));
        };
        let Some(data_type) = column_data_type(ty) else {
            return Err(format!(
                "schema column `{name}` has unknown type `{}` (int, float, string, bool, date, timestamp)",
                ty.to_ascii_lowercase()
            ));
        };
        fields.push(Field::new(name, data_type, true));
    }
    Ok(Schema::new(fields))
}

/// The Arrow type of a column type word of a declared schema: the language's
/// (`int`, `float`, `string`, `bool`, `date`, `timestamp`) or a SQL name for
/// one, in any case.
pub fn column_data_type(word: &str) -> Option<DataType> {
    Some(match word.to_ascii_lowercase().as_str() {
        "int" | "integer" | "bigint" | "int64" => DataType::Int64,
        "float" | "double" | "real" | "float64" => DataType::Float64,
        "string" | "text" | "varchar" | "utf8" => DataType::Utf8,
        "bool" | "boolean" => DataType::Boolean,
        "date" => DataType::Date32,
        "timestamp" => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => return None,
    })
}

/// The byte of a `read_csv(delimiter: ...)`: one character, or `\t`
/// written as two; `None` for anything else.
pub fn csv_delimiter(text: &str) -> Option<u8> {
    match text {
        "\\t" | "\t" => Some(b'\t'),
        d if d.len() == 1 => Some(d.as_bytes()[0]),
        _ => None,
    }
}

/// The regular expression for `read_csv(nulls: text)`: a field is missing
/// when it is empty or equal to `text` (the runtime and `check` share it).
pub fn null_pattern(text: &str) -> String {
    format!("^(?:{})?$", regex::escape(text))
}

/// The kinds of files the readers read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// CSV with its delimiter and whether it has a header.
    Csv {
        /// The field delimiter.
        delimiter: u8,
        /// Whether the first line names the columns.
        header: bool,
        /// The text that stands for a missing value, besides an empty field.
        nulls: Option<String>,
    },
    /// Parquet.
    Parquet,
    /// Newline-delimited JSON.
    Json,
}

/// The schema of a file that exists now, as the engine will read it; `None`
/// when it cannot be read (it may be written before the run reads it).
pub fn file_schema(path: &Path, kind: FileKind) -> Option<SchemaRef> {
    let file = File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    match kind {
        FileKind::Csv {
            delimiter,
            header,
            nulls,
        } => {
            let mut format = Format::default()
                .with_header(header)
                .with_delimiter(delimiter);
            if let Some(nulls) = nulls {
                format = format.with_null_regex(regex::Regex::new(&null_pattern(&nulls)).ok()?);
            }
            let (schema, _) = format
                .infer_schema(BufReader::new(file), Some(INFER_RECORDS))
                .ok()?;
            Some(Arc::new(schema))
        }
        FileKind::Parquet => {
            let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::default()).ok()?;
            Some(metadata.schema().clone())
        }
        FileKind::Json => {
            let mut reader = BufReader::new(file);
            reader.rewind().ok()?;
            let (schema, _) =
                infer_json_schema_from_seekable(&mut reader, Some(INFER_RECORDS)).ok()?;
            Some(Arc::new(schema))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_schemas_read_language_and_sql_type_names() {
        let schema = declared_schema("id int, amount float, day date, ok boolean").expect("parses");
        let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
        assert_eq!(
            types,
            [
                &DataType::Int64,
                &DataType::Float64,
                &DataType::Date32,
                &DataType::Boolean
            ]
        );
        let error = declared_schema("id int, amount money").expect_err("unknown type");
        assert!(error.contains("money"), "{error}");
        assert!(declared_schema("id").is_err());
    }

    #[test]
    fn delimiters_are_one_character_or_a_written_tab() {
        assert_eq!(csv_delimiter(";"), Some(b';'));
        assert_eq!(csv_delimiter("\\t"), Some(b'\t'));
        assert_eq!(csv_delimiter("\t"), Some(b'\t'));
        assert_eq!(csv_delimiter(";;"), None);
        assert_eq!(csv_delimiter(""), None);
    }

    /// `t.csv` holding `text` in a fresh directory named after `test`.
    fn csv_file(test: &str, text: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("pipec-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("t.csv");
        std::fs::write(&path, text).expect("csv");
        (dir, path)
    }

    #[test]
    fn csv_headers_and_types_are_inferred_from_the_file() {
        let (dir, path) = csv_file("schema", "id,name,amount\n1,a,2.5\n2,b,3\n");
        let csv = FileKind::Csv {
            delimiter: b',',
            header: true,
            nulls: None,
        };
        let schema = file_schema(&path, csv.clone()).expect("schema");
        let columns: Vec<(&str, &DataType)> = schema
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type()))
            .collect();
        assert_eq!(
            columns,
            [
                ("id", &DataType::Int64),
                ("name", &DataType::Utf8),
                ("amount", &DataType::Float64)
            ]
        );
        assert!(file_schema(&dir.join("missing.csv"), csv.clone()).is_none());
        assert!(file_schema(&dir, csv).is_none(), "a directory is not read");
    }

    #[test]
    fn a_nulls_text_keeps_numeric_columns_numeric() {
        let (_, path) = csv_file("nulls", "id,delay\n1,NA\n2,\n3,4\n");
        let kind = |nulls: Option<&str>| FileKind::Csv {
            delimiter: b',',
            header: true,
            nulls: nulls.map(str::to_string),
        };
        let without = file_schema(&path, kind(None)).expect("schema");
        assert_eq!(without.field(1).data_type(), &DataType::Utf8);
        let with = file_schema(&path, kind(Some("NA"))).expect("schema");
        assert_eq!(with.field(1).data_type(), &DataType::Int64);
        assert!(
            regex::Regex::new(&null_pattern("N.A"))
                .expect("regex")
                .is_match("")
        );
        assert!(
            !regex::Regex::new(&null_pattern("N.A"))
                .expect("regex")
                .is_match("NxA")
        );
    }
}
