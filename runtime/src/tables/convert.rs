//! Between tables and JSON: rows of a table as JSON objects (outputs, `rows`,
//! values handed to record operators), items as a table (`to_table`), JSON
//! values as SQL parameters. (Declared schemas are read by the compiler's
//! `tables::schema`, so that `check` and the run agree.)

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, FieldRef, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, Schema, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::json::reader::{ReaderBuilder, infer_json_schema_from_iterator};
use datafusion::arrow::json::writer::{ArrayWriter, JsonArray, WriterBuilder};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use serde_json::{Map, Value};

/// The rows of `batches` as JSON objects (nulls kept as `null`), in the
/// shape Arrow's JSON writer gives them. Integer, float, boolean and string
/// columns are read straight from their arrays; any other column (dates,
/// decimals, lists, structs, ...) goes through Arrow's JSON writer, one
/// column at a time.
pub fn rows_of(batches: &[RecordBatch]) -> Result<Vec<Value>, String> {
    let mut rows = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        let schema = batch.schema();
        let mut columns = Vec::with_capacity(batch.num_columns());
        for (index, field) in schema.fields().iter().enumerate() {
            let column = batch.column(index);
            let reader = match reader_of(column.as_ref()) {
                Some(reader) => reader,
                None => {
                    let mut values = column_via_json(field, column)?;
                    Box::new(move |i| values.get_mut(i).map(std::mem::take).unwrap_or_default())
                }
            };
            columns.push((field.name().as_str(), column.as_ref(), reader));
        }
        for row_index in 0..batch.num_rows() {
            let mut row = Map::new();
            for (name, column, reader) in &mut columns {
                let value = if column.is_null(row_index) {
                    Value::Null
                } else {
                    reader(row_index)
                };
                row.insert((*name).to_string(), value);
            }
            rows.push(Value::Object(row));
        }
    }
    Ok(rows)
}

/// Reads one row's value of a column (not null) as JSON.
type ColumnReader<'a> = Box<dyn FnMut(usize) -> Value + 'a>;

/// A reader of an integer column.
fn integers<T>(column: &dyn Array) -> ColumnReader<'_>
where
    T: ArrowPrimitiveType,
    T::Native: Into<Value>,
{
    let a = column.as_primitive::<T>();
    Box::new(move |i| a.value(i).into())
}

/// A reader of a column of a simple type, or `None` for a type Arrow's JSON
/// writer should render.
fn reader_of(column: &dyn Array) -> Option<ColumnReader<'_>> {
    fn float(x: f64) -> Value {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
    Some(match column.data_type() {
        DataType::Null => Box::new(|_| Value::Null),
        DataType::Boolean => {
            let a = column.as_boolean();
            Box::new(move |i| Value::Bool(a.value(i)))
        }
        DataType::Int8 => integers::<Int8Type>(column),
        DataType::Int16 => integers::<Int16Type>(column),
        DataType::Int32 => integers::<Int32Type>(column),
        DataType::Int64 => integers::<Int64Type>(column),
        DataType::UInt8 => integers::<UInt8Type>(column),
        DataType::UInt16 => integers::<UInt16Type>(column),
        DataType::UInt32 => integers::<UInt32Type>(column),
        DataType::UInt64 => integers::<UInt64Type>(column),
        DataType::Float32 => {
            let a = column.as_primitive::<Float32Type>();
            // As Arrow's writer does: the shortest text of the f32, read as f64.
            Box::new(move |i| a.value(i).to_string().parse().map_or(Value::Null, float))
        }
        DataType::Float64 => {
            let a = column.as_primitive::<Float64Type>();
            Box::new(move |i| float(a.value(i)))
        }
        DataType::Utf8 => {
            let a = column.as_string::<i32>();
            Box::new(move |i| a.value(i).into())
        }
        DataType::LargeUtf8 => {
            let a = column.as_string::<i64>();
            Box::new(move |i| a.value(i).into())
        }
        DataType::Utf8View => {
            let a = column.as_string_view();
            Box::new(move |i| a.value(i).into())
        }
        _ => return None,
    })
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
            Int64Array, LargeStringArray, NullArray, StringArray, StringViewArray, UInt64Array,
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
        assert_eq!(
            rows_of(&batches).expect("rows"),
            rows_via_json(&batches).expect("rows")
        );
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
