//! A file's first rows or records tried with a declared (or inferred)
//! schema, as the run will read them: CSV values a column's type cannot
//! take, JSON records that do not decode, Parquet column types that do not
//! convert. Each misfit names the line, the column and the value.

use super::*;

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
pub(super) fn first_parquet_rows(path: &Path, names: &[&str]) -> Option<RecordBatch> {
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
pub(super) fn first_value_read_as(values: &ArrayRef, to: &DataType) -> Option<(String, String)> {
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
pub(super) fn value_misfit(values: &ArrayRef, to: &DataType) -> Option<TypeMisfit> {
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
