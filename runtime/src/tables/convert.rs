//! Between tables and JSON: rows of a table as JSON objects (outputs, `rows`,
//! values handed to record operators), items as a table (`to_table`), JSON
//! values as SQL parameters. (Declared schemas are read by the compiler's
//! `tables::schema`, so that `check` and the run agree.)

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float32Array, Float64Array, LargeStringArray,
    StringArray, StringViewArray,
};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, FieldRef, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, Schema, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::json::reader::{ReaderBuilder, infer_json_schema_from_iterator};
use datafusion::arrow::json::writer::{ArrayWriter, JsonArray, WriterBuilder};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::ScalarValue;
use serde::ser::{Error as _, Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// The rows of `batches` as JSON objects (nulls kept as `null`), in the
/// shape Arrow's JSON writer gives them (see [`JsonRows`]).
pub fn rows_of(batches: &[RecordBatch]) -> Result<Vec<Value>, String> {
    match serde_json::to_value(JsonRows(batches)).map_err(|e| e.to_string())? {
        Value::Array(rows) => Ok(rows),
        _ => Err("the table's rows did not convert to a JSON array".into()),
    }
}

/// A table's rows as a JSON array of objects, one key per column in the
/// table's column order, written straight from the Arrow arrays by any
/// serde serializer (`pipec run` prints table outputs this way, with no
/// JSON value built per row). Values take the shape Arrow's JSON writer
/// gives them: integer, float (NaN and infinities as `null`), boolean,
/// string, decimal (a number) and date/time (its text) columns are read
/// from their arrays; any other column (lists, structs, binary, ...) goes
/// through Arrow's JSON writer, one column at a time.
pub struct JsonRows<'a>(pub &'a [RecordBatch]);

impl Serialize for JsonRows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rows = self.0.iter().map(RecordBatch::num_rows).sum();
        let mut seq = serializer.serialize_seq(Some(rows))?;
        for batch in self.0 {
            let schema = batch.schema();
            let columns = schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(field, column)| {
                    Ok((
                        field.name().as_str(),
                        column.as_ref(),
                        Cells::of(field, column)?,
                    ))
                })
                .collect::<Result<Vec<_>, String>>()
                .map_err(S::Error::custom)?;
            for row in 0..batch.num_rows() {
                seq.serialize_element(&Row {
                    columns: &columns,
                    row,
                })?;
            }
        }
        seq.end()
    }
}

/// One row of a batch, as a JSON object.
struct Row<'r, 'a> {
    columns: &'r [(&'a str, &'a dyn Array, Cells<'a>)],
    row: usize,
}

impl Serialize for Row<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len()))?;
        for (name, column, cells) in self.columns {
            map.serialize_key(name)?;
            if column.is_null(self.row) {
                map.serialize_value(&())?;
            } else {
                map.serialize_value(&Cell {
                    cells,
                    row: self.row,
                })?;
            }
        }
        map.end()
    }
}

/// A column's values, read the way its type is written in JSON.
enum Cells<'a> {
    /// Every value is null.
    Null,
    Boolean(&'a BooleanArray),
    Signed(Box<dyn Fn(usize) -> i64 + 'a>),
    Unsigned(Box<dyn Fn(usize) -> u64 + 'a>),
    Float32(&'a Float32Array),
    Float64(&'a Float64Array),
    Utf8(&'a StringArray),
    LargeUtf8(&'a LargeStringArray),
    Utf8View(&'a StringViewArray),
    /// A decimal's text, written as a JSON number.
    Decimal(ArrayFormatter<'a>),
    /// A date's or time's text, written as a JSON string.
    Temporal(ArrayFormatter<'a>),
    /// Values rendered by Arrow's JSON writer.
    Rendered(Vec<Value>),
}

impl<'a> Cells<'a> {
    /// How to read `column` (described by `field`).
    fn of(field: &FieldRef, column: &'a ArrayRef) -> Result<Self, String> {
        fn signed<T>(column: &dyn Array) -> Cells<'_>
        where
            T: ArrowPrimitiveType,
            T::Native: Into<i64>,
        {
            let a = column.as_primitive::<T>();
            Cells::Signed(Box::new(move |i| a.value(i).into()))
        }
        fn unsigned<T>(column: &dyn Array) -> Cells<'_>
        where
            T: ArrowPrimitiveType,
            T::Native: Into<u64>,
        {
            let a = column.as_primitive::<T>();
            Cells::Unsigned(Box::new(move |i| a.value(i).into()))
        }
        let column_ref = column.as_ref();
        Ok(match column.data_type() {
            DataType::Null => Cells::Null,
            DataType::Boolean => Cells::Boolean(column.as_boolean()),
            DataType::Int8 => signed::<Int8Type>(column_ref),
            DataType::Int16 => signed::<Int16Type>(column_ref),
            DataType::Int32 => signed::<Int32Type>(column_ref),
            DataType::Int64 => signed::<Int64Type>(column_ref),
            DataType::UInt8 => unsigned::<UInt8Type>(column_ref),
            DataType::UInt16 => unsigned::<UInt16Type>(column_ref),
            DataType::UInt32 => unsigned::<UInt32Type>(column_ref),
            DataType::UInt64 => unsigned::<UInt64Type>(column_ref),
            DataType::Float32 => Cells::Float32(column.as_primitive::<Float32Type>()),
            DataType::Float64 => Cells::Float64(column.as_primitive::<Float64Type>()),
            DataType::Utf8 => Cells::Utf8(column.as_string::<i32>()),
            DataType::LargeUtf8 => Cells::LargeUtf8(column.as_string::<i64>()),
            DataType::Utf8View => Cells::Utf8View(column.as_string_view()),
            DataType::Decimal32(..)
            | DataType::Decimal64(..)
            | DataType::Decimal128(..)
            | DataType::Decimal256(..) => Cells::Decimal(
                ArrayFormatter::try_new(column_ref, &ARROW_JSON_FORMAT)
                    .map_err(|e| e.to_string())?,
            ),
            temporal if temporal.is_temporal() => Cells::Temporal(
                ArrayFormatter::try_new(column_ref, &ARROW_JSON_FORMAT)
                    .map_err(|e| e.to_string())?,
            ),
            _ => Cells::Rendered(column_via_json(field, column)?),
        })
    }
}

/// The display options Arrow's JSON writer formats decimals and temporal
/// values with.
const ARROW_JSON_FORMAT: FormatOptions<'static> = FormatOptions::new().with_display_error(true);

/// One value (not null) of a column.
struct Cell<'r, 'a> {
    cells: &'r Cells<'a>,
    row: usize,
}

impl Serialize for Cell<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let i = self.row;
        match self.cells {
            Cells::Null => serializer.serialize_unit(),
            Cells::Boolean(a) => serializer.serialize_bool(a.value(i)),
            Cells::Signed(read) => serializer.serialize_i64(read(i)),
            Cells::Unsigned(read) => serializer.serialize_u64(read(i)),
            // As Arrow's writer does: the shortest text of the f32, read as f64.
            Cells::Float32(a) => match a.value(i).to_string().parse::<f64>() {
                Ok(x) if x.is_finite() => serializer.serialize_f64(x),
                _ => serializer.serialize_unit(),
            },
            Cells::Float64(a) => match a.value(i) {
                x if x.is_finite() => serializer.serialize_f64(x),
                _ => serializer.serialize_unit(),
            },
            Cells::Utf8(a) => serializer.serialize_str(a.value(i)),
            Cells::LargeUtf8(a) => serializer.serialize_str(a.value(i)),
            Cells::Utf8View(a) => serializer.serialize_str(a.value(i)),
            // An integer when the scale is 0, else a float, as a JSON reader
            // of Arrow's output would take it.
            Cells::Decimal(formatter) => {
                match formatter.value(i).to_string().parse::<serde_json::Number>() {
                    Ok(number) => number.serialize(serializer),
                    Err(_) => serializer.serialize_unit(),
                }
            }
            Cells::Temporal(formatter) => serializer.collect_str(&formatter.value(i)),
            Cells::Rendered(values) => values.get(i).unwrap_or(&Value::Null).serialize(serializer),
        }
    }
}

/// One column's values through Arrow's JSON writer (the types [`reader_of`]
/// does not read itself).
fn column_via_json(field: &FieldRef, column: &ArrayRef) -> Result<Vec<Value>, String> {
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Arc::clone(field)])),
        vec![Arc::clone(column)],
    )
    .map_err(|e| e.to_string())?;
    rows_via_json(&[batch])?
        .into_iter()
        .map(|row| match row {
            Value::Object(mut map) => Ok(map.remove(field.name()).unwrap_or(Value::Null)),
            _ => Err("a table's row did not convert to a JSON object".to_string()),
        })
        .collect()
}

/// The rows of `batches` as JSON objects, through Arrow's JSON writer.
fn rows_via_json(batches: &[RecordBatch]) -> Result<Vec<Value>, String> {
    let mut writer: ArrayWriter<Vec<u8>> = WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, JsonArray>(Vec::new());
    for batch in batches {
        writer.write(batch).map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())?;
    let bytes = writer.into_inner();
    if bytes.is_empty() {
        return Ok(Vec::new());
    }
    match serde_json::from_slice(&bytes).map_err(|e| e.to_string())? {
        Value::Array(rows) => Ok(rows),
        _ => Err("the table's rows did not convert to a JSON array".into()),
    }
}

/// Items (JSON objects, or any values as a one-column `value` table) as one batch.
pub fn batch_of(items: &[Value]) -> Result<RecordBatch, String> {
    let objects: Vec<Value> = items
        .iter()
        .map(|item| match item {
            Value::Object(_) => item.clone(),
            other => serde_json::json!({ "value": other }),
        })
        .collect();
    if objects.is_empty() {
        return Ok(RecordBatch::new_empty(Arc::new(Schema::empty())));
    }
    let schema = infer_json_schema_from_iterator(objects.iter().map(Ok))
        .map_err(|e| format!("cannot infer a table schema from the items: {e}"))?;
    let mut decoder = ReaderBuilder::new(Arc::new(schema))
        .build_decoder()
        .map_err(|e| e.to_string())?;
    decoder
        .serialize(&objects)
        .map_err(|e| format!("the items do not fit one table: {e}"))?;
    decoder
        .flush()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the items made no rows".to_string())
}

/// A JSON value as a SQL parameter.
pub fn scalar_of(value: &Value) -> ScalarValue {
    match value {
        Value::Null => ScalarValue::Null,
        Value::Bool(b) => ScalarValue::Boolean(Some(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => ScalarValue::Int64(Some(i)),
            None => ScalarValue::Float64(n.as_f64()),
        },
        Value::String(s) => ScalarValue::Utf8(Some(s.clone())),
        other => ScalarValue::Utf8(Some(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn items_round_trip_through_a_table() {
        let items = vec![json!({"a": 1, "b": "x"}), json!({"a": 2, "b": null})];
        let batch = batch_of(&items).expect("converts");
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(rows_of(&[batch]).expect("rows"), items);
    }

    #[test]
    fn rows_read_from_arrays_equal_arrow_json_writers_rows() {
        use datafusion::arrow::array::{
            BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int8Array,
            Int64Array, LargeStringArray, ListArray, NullArray, StringArray, StringViewArray,
            TimestampMicrosecondArray, TimestampSecondArray, UInt64Array,
        };
        use datafusion::arrow::datatypes::Field;
        let columns: Vec<(&str, ArrayRef)> = vec![
            (
                "i8",
                Arc::new(Int8Array::from(vec![Some(-1), None, Some(127)])),
            ),
            (
                "i64",
                Arc::new(Int64Array::from(vec![Some(i64::MIN), Some(0), None])),
            ),
            (
                "u64",
                Arc::new(UInt64Array::from(vec![Some(u64::MAX), None, Some(3)])),
            ),
            (
                "f32",
                Arc::new(Float32Array::from(vec![Some(0.1), Some(f32::NAN), None])),
            ),
            (
                "f64",
                Arc::new(Float64Array::from(vec![
                    Some(1.0),
                    Some(-2.5e300),
                    Some(f64::INFINITY),
                ])),
            ),
            (
                "b",
                Arc::new(BooleanArray::from(vec![Some(true), None, Some(false)])),
            ),
            (
                "s",
                Arc::new(StringArray::from(vec![Some("a\"b"), None, Some("é\n")])),
            ),
            (
                "ls",
                Arc::new(LargeStringArray::from(vec![None, Some("x"), Some("")])),
            ),
            (
                "sv",
                Arc::new(StringViewArray::from(vec![
                    Some("a long string view value"),
                    None,
                    Some("y"),
                ])),
            ),
            ("n", Arc::new(NullArray::new(3))),
            (
                "d",
                Arc::new(Date32Array::from(vec![Some(0), None, Some(19_000)])),
            ),
            (
                "dec",
                Arc::new(
                    Decimal128Array::from(vec![Some(12_345), None, Some(-1)])
                        .with_precision_and_scale(15, 2)
                        .expect("decimal"),
                ),
            ),
            (
                "dec0",
                Arc::new(
                    Decimal128Array::from(vec![Some(-7), Some(12_345_678_901), None])
                        .with_precision_and_scale(38, 0)
                        .expect("decimal"),
                ),
            ),
            (
                "ts",
                Arc::new(TimestampMicrosecondArray::from(vec![
                    Some(1_700_000_000_123_456),
                    None,
                    Some(-1),
                ])),
            ),
            (
                "ts_tz",
                Arc::new(
                    TimestampSecondArray::from(vec![None, Some(0), Some(86_399)])
                        .with_timezone("+02:00"),
                ),
            ),
            (
                "list",
                Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
                    Some(vec![Some(1), None]),
                    None,
                    Some(vec![]),
                ])),
            ),
        ];
        let schema = Schema::new(
            columns
                .iter()
                .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
                .collect::<Vec<_>>(),
        );
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            columns.into_iter().map(|(_, array)| array).collect(),
        )
        .expect("batch");
        let batches = [batch.clone(), batch.slice(1, 2)];
        let written_by_arrow = rows_via_json(&batches).expect("rows");
        assert_eq!(rows_of(&batches).expect("rows"), written_by_arrow);
        // The same rows when written as text straight from the arrays.
        let text = serde_json::to_string(&JsonRows(&batches)).expect("writes");
        let read: Value = serde_json::from_str(&text).expect("reads");
        assert_eq!(read, Value::Array(written_by_arrow));
    }

    #[test]
    fn written_rows_keep_the_tables_column_order() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        use datafusion::arrow::datatypes::Field;
        let schema = Schema::new(vec![
            Field::new("zone", DataType::Utf8, true),
            Field::new("amount", DataType::Int64, true),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(StringArray::from(vec![Some("north"), None])),
                Arc::new(Int64Array::from(vec![Some(3), Some(-4)])),
            ],
        )
        .expect("batch");
        assert_eq!(
            serde_json::to_string(&JsonRows(&[batch])).expect("writes"),
            r#"[{"zone":"north","amount":3},{"zone":null,"amount":-4}]"#
        );
        assert_eq!(serde_json::to_string(&JsonRows(&[])).expect("writes"), "[]");
    }

    #[test]
    fn scalars_become_a_value_column() {
        let batch = batch_of(&[json!(1), json!(2)]).expect("converts");
        assert_eq!(
            rows_of(&[batch]).expect("rows"),
            vec![json!({"value": 1}), json!({"value": 2})]
        );
    }
}
