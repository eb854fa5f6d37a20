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

/// Arrow's CSV reader on a value that does not parse as its column's type
/// (`Error while parsing value 'x' as type 'Int64' for column 1 at line 2.
/// Row data: '[2,x]'`), read back into its parts. The check and the
/// runtime both read this message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvValueError {
    /// The value as written.
    pub value: String,
    /// The type it should have had, as Arrow names it (`Int64`).
    pub type_name: String,
    /// The column's 0-based position in the reader's schema.
    pub column: usize,
    /// The record, 0-based and counting a header, from the start of the
    /// part of the file the reader read.
    pub record: usize,
    /// The row's fields joined by commas.
    pub row: String,
}

static CSV_VALUE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?s)Error while parsing value '(?P<value>.*)' as type '(?P<type>[^']+)' for column (?P<column>\d+) at line (?P<record>\d+)\. Row data: '\[(?P<row>.*)\]'",
    )
    .expect("a valid pattern")
});

impl CsvValueError {
    /// The parts of `message`, if it is this error.
    pub fn parse(message: &str) -> Option<Self> {
        let found = CSV_VALUE.captures(message)?;
        Some(CsvValueError {
            value: found["value"].to_string(),
            type_name: found["type"].to_string(),
            column: found["column"].parse().ok()?,
            record: found["record"].parse().ok()?,
            row: found["row"].to_string(),
        })
    }
}

/// How the first rows of a CSV file do not fit the schema declared for it:
/// the run would fail on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// A value that does not parse as its declared column's type.
    Value {
        /// The file's 1-based line.
        line: usize,
        /// The column's 0-based position in the declared schema.
        column: usize,
        /// The value as written.
        value: String,
    },
    /// A row with another number of fields than the schema has columns.
    Fields {
        /// The file's 1-based line.
        line: usize,
        /// How many fields the row has.
        found: usize,
        /// Whether the reader stopped counting: the row has more than
        /// `found` fields.
        more: bool,
    },
}

/// A row with too many or too few fields (1-based line) in Arrow's message.
static CSV_FIELDS: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"incorrect number of fields for line (?P<line>\d+), expected \d+ got (?P<more>more than )?(?P<found>\d+)")
        .expect("a valid pattern")
});

/// Reads the first rows of the CSV file at `path` (as inference does) with
/// the declared `schema`; where they do not fit it, if anywhere. `None` too
/// when the file cannot be read now (it may be written before the run).
pub fn csv_misfit(path: &Path, kind: &FileKind, schema: &Schema) -> Option<Misfit> {
    let format = csv_format(kind)?;
    let mut reader = ReaderBuilder::new(Arc::new(schema.clone()))
        .with_format(format)
        .with_batch_size(INFER_RECORDS)
        .build(BufReader::new(regular_file(path)?))
        .ok()?;
    let message = reader.next()?.err()?.to_string();
    if let Some(error) = CsvValueError::parse(&message) {
        return Some(Misfit::Value {
            line: error.record + 1,
            column: error.column,
            value: error.value,
        });
    }
    let found = CSV_FIELDS.captures(&message)?;
    Some(Misfit::Fields {
        line: found["line"].parse().ok()?,
        found: found["found"].parse().ok()?,
        more: found.name("more").is_some(),
    })
}

/// A record of a JSON file that does not fit the schema declared for it:
/// the run would fail on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonMisfit {
    /// The record's 1-based line, for a file of one record per line; its
    /// 1-based place in the array, for a file of one array.
    pub line: usize,
    /// Whether the file is one array (so `line` counts records).
    pub in_array: bool,
    /// The field the decoder stopped at, as the declared schema names it.
    pub field: String,
    /// What the decoder says of its value (`expected string got 1`).
    pub problem: String,
}

/// "whilst decoding field 'a': expected string got 1" in Arrow's JSON
/// decoder's message.
static JSON_FIELD: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?s)whilst decoding field '(?P<field>[^']*)': (?P<problem>.*)")
        .expect("a valid pattern")
});

/// Reads the first records of the JSON file at `path` (as inference does)
/// with the declared `schema`, as the run's decoder reads them; the first
/// that does not fit it, if any. `None` too when the file cannot be read now.
pub fn json_misfit(path: &Path, schema: &Schema) -> Option<JsonMisfit> {
    let mut reader = BufReader::new(regular_file(path)?);
    let in_array = json_is_array(&mut reader)?;
    // Each record as one line of text, with its line (or place) in the file.
    let records: Vec<(usize, String)> = if in_array {
        first_array_elements(reader, INFER_RECORDS)
            .iter()
            .enumerate()
            .map(|(i, record)| (i + 1, record.to_string()))
            .collect()
    } else {
        reader
            .lines()
            .map_while(Result::ok)
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .take(INFER_RECORDS)
            .map(|(i, line)| (i + 1, line))
            .collect()
    };
    let decode = |text: &str| -> Option<String> {
        let mut reader = datafusion::arrow::json::ReaderBuilder::new(Arc::new(schema.clone()))
            .with_batch_size(INFER_RECORDS)
            .build(std::io::Cursor::new(text.as_bytes()))
            .ok()?;
        reader.next()?.err().map(|e| e.to_string())
    };
    let all: String = records.iter().map(|(_, r)| format!("{r}\n")).collect();
    decode(&all)?;
    // The batch fails: find the first record that fails alone.
    records.iter().find_map(|(line, record)| {
        let message = decode(record)?;
        let found = JSON_FIELD.captures(&message)?;
        Some(JsonMisfit {
            line: *line,
            in_array,
            field: found["field"].to_string(),
            problem: found["problem"].trim().to_string(),
        })
    })
}

/// How a column of a Parquet file would be read as the type declared for
/// it: the engine converts the file's column to the declared type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeMisfit {
    /// The engine has no conversion from the file's type to the declared one.
    NoConversion,
    /// Numbers read as dates or times, or dates and times as numbers: the
    /// conversion succeeds and means nothing (`1` becomes `1970-01-02`).
    Meaning {
        /// The first value of the file's first rows as the file has it, and
        /// as the run would read it, when the rows were read.
        example: Option<(String, String)>,
    },
    /// A number with a fraction in a column declared int: the run cuts it.
    Fraction {
        /// The 1-based row of the file.
        row: usize,
        /// The value as the file has it.
        value: String,
        /// The value as the run would read it.
        read_as: String,
    },
    /// A value that does not convert (text `east` declared int): the run
    /// fails on it.
    Value {
        /// The 1-based row of the file.
        row: usize,
        /// The value as the file has it.
        value: String,
    },
}

/// A declared column of a Parquet file that the file holds as another type,
/// and how it misfits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMisfit {
    /// The column's 0-based position in the declared schema.
    pub column: usize,
    /// The column's type in the file.
    pub file_type: DataType,
    /// How the declared type misfits the file's values.
    pub misfit: TypeMisfit,
}

/// The language's word for a type a file holds (`int` for any integer,
/// `float` for floats and decimals, `string` for any text), or Arrow's name.
pub fn kind_word(data_type: &DataType) -> String {
    let word = match data_type {
        t if t.is_integer() => "int",
        t if t.is_numeric() => "float",
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string",
        DataType::Boolean => "bool",
        DataType::Date32 | DataType::Date64 => "date",
        DataType::Timestamp(..) => "timestamp",
        other => return other.to_string(),
    };
    word.to_string()
}

/// Compares a schema declared for the Parquet file (or directory, or glob)
/// at `path`, whose own schema is `found` ([`file_schema`]), with the file's
/// types: declared columns the engine cannot convert, converts without
/// meaning (numbers and dates), or converts with loss or failure on the
/// file's first rows (read from a single file). Empty when all fit.
pub fn parquet_misfits(path: &Path, found: &Schema, schema: &Schema) -> Vec<ColumnMisfit> {
    // Declared columns the file holds as another type.
    let differing: Vec<(usize, &Field, DataType)> = schema
        .fields()
        .iter()
        .enumerate()
        .filter_map(|(column, field)| {
            let in_file = found.field_with_name(field.name()).ok()?.data_type();
            (in_file != field.data_type()).then(|| (column, field.as_ref(), in_file.clone()))
        })
        .collect();
    if differing.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = differing
        .iter()
        .map(|(_, f, _)| f.name().as_str())
        .collect();
    let first_rows = first_parquet_rows(path, &names);
    differing
        .into_iter()
        .filter_map(|(column, field, file_type)| {
            let declared = field.data_type();
            let values = first_rows
                .as_ref()
                .and_then(|batch| batch.column_by_name(field.name()));
            let misfit = if !can_cast_types(&file_type, declared) {
                TypeMisfit::NoConversion
            } else if converts_without_meaning(&file_type, declared) {
                TypeMisfit::Meaning {
                    example: values.and_then(|values| first_value_read_as(values, declared)),
                }
            } else {
                values.and_then(|values| value_misfit(values, declared))?
            };
            Some(ColumnMisfit {
                column,
                file_type,
                misfit,
            })
        })
        .collect()
}

/// Whether a column of type `from` read as `to` converts without meaning:
/// numbers and dates or times convert into each other as days (or
/// microseconds) from 1970-01-01.
pub fn converts_without_meaning(from: &DataType, to: &DataType) -> bool {
    (from.is_numeric() && to.is_temporal()) || (from.is_temporal() && to.is_numeric())
}

/// The first rows of the Parquet file at `path` (not a directory), of the
/// columns named.
fn first_parquet_rows(path: &Path, names: &[&str]) -> Option<RecordBatch> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(regular_file(path)?).ok()?;
    let roots: Vec<usize> = names
        .iter()
        .filter_map(|name| builder.schema().index_of(name).ok())
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    builder
        .with_projection(mask)
        .with_batch_size(INFER_RECORDS)
        .with_limit(INFER_RECORDS)
        .build()
        .ok()?
        .next()?
        .ok()
}

/// The first value of `values` that is there, and the same value converted
/// to `to`, both as text.
fn first_value_read_as(values: &ArrayRef, to: &DataType) -> Option<(String, String)> {
    let row = (0..values.len()).find(|&row| values.is_valid(row))?;
    let one = values.slice(row, 1);
    let converted = cast_with_options(&one, to, &CastOptions::default()).ok()?;
    Some((
        array_value_to_string(&one, 0).ok()?,
        array_value_to_string(&converted, 0).ok()?,
    ))
}

/// The first value of `values` that loses its fraction (declared int) or
/// does not convert to `to` at all.
fn value_misfit(values: &ArrayRef, to: &DataType) -> Option<TypeMisfit> {
    let shown = |row: usize| array_value_to_string(values, row).unwrap_or_default();
    if to.is_integer() && values.data_type().is_numeric() && !values.data_type().is_integer() {
        let floats = cast_with_options(values, &DataType::Float64, &CastOptions::default()).ok()?;
        let floats = floats.as_primitive_opt::<Float64Type>()?;
        if let Some(row) =
            (0..floats.len()).find(|&r| floats.is_valid(r) && floats.value(r).fract() != 0.0)
        {
            let (value, read_as) = first_value_read_as(&values.slice(row, 1), to)?;
            return Some(TypeMisfit::Fraction {
                row: row + 1,
                value,
                read_as,
            });
        }
    }
    // A value there before the conversion and missing after it failed.
    let converted = cast_with_options(values, to, &CastOptions::default()).ok()?;
    let row = (0..values.len()).find(|&r| values.is_valid(r) && converted.is_null(r))?;
    Some(TypeMisfit::Value {
        row: row + 1,
        value: shown(row),
    })
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
