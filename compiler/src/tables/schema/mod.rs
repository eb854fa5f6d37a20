//! Where a table's schema comes from before anything runs: a declared schema
//! (`schema: "id int, amount float"`) or the source file itself (a CSV header
//! and the types of its first rows, Parquet metadata, JSON records by line or in an array).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;
use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::compute::{CastOptions, can_cast_types, cast_with_options};
use datafusion::arrow::csv::ReaderBuilder;
use datafusion::arrow::csv::reader::Format;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::json::reader::{
    infer_json_schema_from_iterator, infer_json_schema_from_seekable,
};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ArrowReaderMetadata;
use datafusion::parquet::arrow::arrow_reader::ArrowReaderOptions;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Deserializer as _;
use serde::de::{SeqAccess, Visitor};

/// How many records schema inference reads (as DataFusion does).
mod misfit;
pub use misfit::*;

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

/// The declared-schema word for an Arrow type (the inverse of
/// [`column_data_type`] on the types it gives), if there is one.
pub fn type_word(data_type: &DataType) -> Option<&'static str> {
    Some(match data_type {
        DataType::Int64 => "int",
        DataType::Float64 => "float",
        DataType::Utf8 => "string",
        DataType::Boolean => "bool",
        DataType::Date32 => "date",
        DataType::Timestamp(..) => "timestamp",
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
    /// JSON: one record per line, or one array of records.
    Json,
}

/// How many files of a directory or a glob pattern the check reads the
/// schema of (their schemas merged, as the engine merges them).
const SCHEMA_FILES: usize = 16;

/// The schema of a file that exists now, as the engine will read it; `None`
/// when it cannot be read (it may be written before the run reads it). A
/// directory (its files, as the engine lists them: for Parquet those ending
/// in `.parquet`) or a glob pattern (`parts/*.csv`) has its files' schemas
/// merged; `None` when they do not merge.
pub fn file_schema(path: &Path, kind: FileKind) -> Option<SchemaRef> {
    let files: Vec<std::path::PathBuf> = if path.is_dir() {
        let parquet = kind == FileKind::Parquet;
        let mut files: Vec<_> = std::fs::read_dir(path)
            .ok()?
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                let name = path.file_name()?.to_str()?;
                let listed = (!parquet || name.ends_with(".parquet")) && path.is_file();
                listed.then_some(path)
            })
            .collect();
        files.sort();
        files
    } else if is_glob(path) {
        crate::files::expand(path.to_str()?)
            .ok()?
            .into_iter()
            .map(|found| found.path)
            .collect()
    } else {
        return one_file_schema(path, kind);
    };
    if files.is_empty() {
        return None;
    }
    let schemas = files
        .iter()
        .take(SCHEMA_FILES)
        .map(|file| one_file_schema(file, kind.clone()).map(|s| s.as_ref().clone()))
        .collect::<Option<Vec<Schema>>>()?;
    Schema::try_merge(schemas).ok().map(Arc::new)
}

/// What a file holds, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Parquet (`PAR1`).
    Parquet,
    /// JSON: text whose first character is `{` or `[`.
    Json,
    /// Other text (CSV, or anything else written in characters).
    Text,
    /// Bytes that are not text (compressed, or another binary format).
    Binary,
}

impl FileFormat {
    /// The reader that reads this format, if one does.
    pub fn reader(self) -> Option<&'static str> {
        match self {
            FileFormat::Parquet => Some("read_parquet"),
            FileFormat::Json => Some("read_json"),
            FileFormat::Text => Some("read_csv"),
            FileFormat::Binary => None,
        }
    }

    /// How a message says what the file holds (`it holds JSON`).
    pub fn described(self) -> &'static str {
        match self {
            FileFormat::Parquet => "it is a Parquet file",
            FileFormat::Json => "it holds JSON",
            FileFormat::Text => "it holds text such as CSV",
            FileFormat::Binary => "it holds bytes that are not text",
        }
    }
}

/// What the regular file at `path` holds, from its first bytes; `None` when
/// it cannot be read or is empty.
pub fn sniff_format(path: &Path) -> Option<FileFormat> {
    let mut file = regular_file(path)?;
    let mut head = [0u8; 512];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(_) => return None,
        }
    }
    let head = &head[..filled];
    if head.is_empty() {
        return None;
    }
    if head.starts_with(b"PAR1") {
        return Some(FileFormat::Parquet);
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut by the end of the sample is still text.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).ok()?
        }
        Err(_) => return Some(FileFormat::Binary),
    };
    if text.contains('\0') {
        return Some(FileFormat::Binary);
    }
    let first = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next();
    Some(match first {
        Some('{' | '[') => FileFormat::Json,
        _ => FileFormat::Text,
    })
}

/// Whether a path is a file pattern (`parts/*.csv`, [`crate::files`]).
pub fn is_glob(path: &Path) -> bool {
    path.to_str().is_some_and(crate::files::is_pattern)
}

/// The schema of one regular file.
fn one_file_schema(path: &Path, kind: FileKind) -> Option<SchemaRef> {
    let file = regular_file(path)?;
    match kind {
        FileKind::Csv { .. } => {
            let (schema, _) = csv_format(&kind)?
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
            if json_is_array(&mut reader)? {
                let records = first_array_elements(reader, INFER_RECORDS);
                let schema = infer_json_schema_from_iterator(records.iter().map(Ok)).ok()?;
                return Some(Arc::new(schema));
            }
            let (schema, _) =
                infer_json_schema_from_seekable(&mut reader, Some(INFER_RECORDS)).ok()?;
            Some(Arc::new(schema))
        }
    }
}

/// Whether a JSON file holds one array of records (`[{...}, ...]`, as
/// `write_json` writes a table) rather than one record per line; the reader
/// is left at the start. `None` when it cannot be read.
pub fn json_is_array(reader: &mut (impl BufRead + Seek)) -> Option<bool> {
    reader.rewind().ok()?;
    let first = reader
        .bytes()
        .find(|b| !b.as_ref().is_ok_and(u8::is_ascii_whitespace))
        .transpose()
        .ok()?;
    reader.rewind().ok()?;
    Some(first == Some(b'['))
}

/// Up to `limit` elements from the start of a JSON array, without reading
/// the rest of it.
fn first_array_elements(reader: impl Read, limit: usize) -> Vec<serde_json::Value> {
    struct Collect<'a>(&'a mut Vec<serde_json::Value>, usize);
    impl<'de> Visitor<'de> for Collect<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while self.0.len() < self.1 {
                match seq.next_element()? {
                    Some(value) => self.0.push(value),
                    None => break,
                }
            }
            Ok(())
        }
    }
    let mut elements = Vec::new();
    // Stopping early leaves the array unclosed, which serde_json reports:
    // the elements read so far are what is wanted.
    let _ = serde_json::Deserializer::from_reader(reader)
        .deserialize_seq(Collect(&mut elements, limit));
    elements
}

/// The file at `path`, open, if it is a regular file that can be read now.
fn regular_file(path: &Path) -> Option<File> {
    let file = File::open(path).ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

/// How Arrow reads a CSV file of `kind` (delimiter, header, null text);
/// `None` for another kind of file.
fn csv_format(kind: &FileKind) -> Option<Format> {
    let FileKind::Csv {
        delimiter,
        header,
        nulls,
    } = kind
    else {
        return None;
    };
    let format = Format::default()
        .with_header(*header)
        .with_delimiter(*delimiter);
    match nulls {
        Some(nulls) => Some(format.with_null_regex(regex::Regex::new(&null_pattern(nulls)).ok()?)),
        None => Some(format),
    }
}

static CSV_VALUE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?s)Error while parsing value '(?P<value>.*)' as type '(?P<type>[^']+)' for column (?P<column>\d+) at line (?P<record>\d+)\. Row data: '\[(?P<row>.*)\]'",
    )
    .expect("a valid pattern")
});

/// A row with too many or too few fields (1-based line) in Arrow's message.
static CSV_FIELDS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"incorrect number of fields for line (?P<line>\d+), expected \d+ got (?P<more>more than )?(?P<found>\d+)")
        .expect("a valid pattern")
});

/// "whilst decoding field 'a': expected string got 1" in Arrow's JSON
/// decoder's message.
static JSON_FIELD: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?s)whilst decoding field '(?P<field>[^']*)': (?P<problem>.*)")
        .expect("a valid pattern")
});

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

    /// `t.csv` holding `text` in a fresh directory named after `test`,
    /// removed when the returned guard is dropped.
    fn csv_file(test: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix(&format!("pipec-{test}-"))
            .tempdir()
            .expect("dir");
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).expect("csv");
        (dir, path)
    }

    #[test]
    fn first_rows_that_do_not_fit_a_declared_schema_are_found() {
        let (dir, path) = csv_file("misfit", "id,amount\n1,2\n2,2.5\n");
        let csv = FileKind::Csv {
            delimiter: b',',
            header: true,
            nulls: None,
        };
        let ints = declared_schema("id int, amount int").expect("schema");
        assert_eq!(
            csv_misfit(&path, &csv, &ints),
            Some(Misfit::Value {
                line: 3,
                column: 1,
                value: "2.5".into()
            })
        );
        let floats = declared_schema("id int, amount float").expect("schema");
        assert_eq!(csv_misfit(&path, &csv, &floats), None);
        std::fs::write(&path, "id,amount\n1,2\n2,2.5\n3,4,5\n").expect("csv");
        assert_eq!(
            csv_misfit(&path, &csv, &floats),
            Some(Misfit::Fields {
                line: 4,
                found: 3,
                more: false
            })
        );
        assert_eq!(
            csv_misfit(&dir.path().join("none.csv"), &csv, &floats),
            None
        );
    }

    #[test]
    fn json_records_that_do_not_decode_as_declared_are_found() {
        let (dir, path) = csv_file(
            "json-misfit",
            "{\"id\": 1, \"flag\": true}\n\n{\"id\": 2, \"flag\": 7}\n",
        );
        let bools = declared_schema("id int, flag bool").expect("schema");
        assert_eq!(
            json_misfit(&path, &bools),
            Some(JsonMisfit {
                line: 3,
                in_array: false,
                field: "flag".into(),
                problem: "expected boolean got 7".into(),
            })
        );
        // A number read as a float decodes; a field the schema leaves out is skipped.
        let floats = declared_schema("id float").expect("schema");
        assert_eq!(json_misfit(&path, &floats), None);
        // An array file counts records, not lines.
        std::fs::write(&path, "[\n {\"id\": 1},\n {\"id\": \"two\"}\n]\n").expect("json");
        let ints = declared_schema("id int").expect("schema");
        let misfit = json_misfit(&path, &ints).expect("a misfit");
        assert_eq!(
            (misfit.line, misfit.in_array, misfit.field.as_str()),
            (2, true, "id")
        );
        assert_eq!(json_misfit(&dir.path().join("none.json"), &ints), None);
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
        assert!(file_schema(&dir.path().join("missing.csv"), csv.clone()).is_none());
        // A directory is its files, their schemas merged; an empty one is unknown.
        let merged = file_schema(dir.path(), csv.clone()).expect("the directory's files");
        assert_eq!(merged.fields().len(), 3);
        let empty = tempfile::tempdir().expect("dir");
        assert!(file_schema(empty.path(), csv).is_none());
    }

    #[test]
    fn a_nulls_text_keeps_numeric_columns_numeric() {
        let (_dir, path) = csv_file("nulls", "id,delay\n1,NA\n2,\n3,4\n");
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
