//! Between tables and JSON: rows of a table as JSON objects (outputs, `rows`,
//! values handed to record operators), items as a table (`to_table`), JSON
//! values as SQL parameters. (Declared schemas are read by the compiler's
//! `tables::schema`, so that `check` and the run agree.)

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::json::reader::{ReaderBuilder, infer_json_schema_from_iterator};
use datafusion::arrow::json::writer::{ArrayWriter, JsonArray, WriterBuilder};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use serde_json::Value;

/// The rows of `batches` as JSON objects (nulls kept as `null`).
pub fn rows_of(batches: &[RecordBatch]) -> Result<Vec<Value>, String> {
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
    fn scalars_become_a_value_column() {
        let batch = batch_of(&[json!(1), json!(2)]).expect("converts");
        assert_eq!(
            rows_of(&[batch]).expect("rows"),
            vec![json!({"value": 1}), json!({"value": 2})]
        );
    }
}
