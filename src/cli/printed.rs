//! How `pipec run` prints its outputs: one JSON object on stdout, its
//! outputs and their items indented on lines of their own, anything deeper
//! (a table's row, a record in a list) on one line:
//!
//! ```text
//! {
//!   "total": 3,
//!   "answer": [
//!     {"region":"EU","amount":10.5},
//!     {"region":"US","amount":7}
//!   ]
//! }
//! ```
//!
//! A table of 18,000 rows is 18,000 lines that `grep` and `jq` read, not
//! 100,000 of one key each (and a third fewer bytes to write).

use std::collections::BTreeMap;
use std::io::{self, Write};

use pipec_runtime::tables::{JsonRows, RecordBatch};
use serde::{Serialize, Serializer};
use serde_json::ser::Formatter;
use serde_json::{Map, Value};

/// How many levels of arrays and objects are written one item per line;
/// deeper values are written on one line.
const LINED_LEVELS: usize = 2;

/// Writes the outputs, tables among them, in the order the pipeline
/// declares them (`order`), to `out`, followed by a newline. A table's rows
/// are written from its batches, their keys in the table's column order.
pub fn write_outputs(
    out: &mut impl Write,
    outputs: &Map<String, Value>,
    tables: &BTreeMap<String, Vec<RecordBatch>>,
    order: &[&str],
) -> io::Result<()> {
    let printed = PrintedOutputs(
        order
            .iter()
            .filter_map(|name| {
                let printed = match (outputs.get(*name), tables.get(*name)) {
                    (Some(value), _) => Printed::Value(value),
                    (None, Some(batches)) => Printed::Table(JsonRows(batches)),
                    (None, None) => return None,
                };
                Some((*name, printed))
            })
            .collect(),
    );
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, RowsOnLines::default());
    printed
        .serialize(&mut serializer)
        .map_err(io::Error::from)?;
    writeln!(out)
}

/// The outputs as one JSON object, in the order given.
struct PrintedOutputs<'a>(Vec<(&'a str, Printed<'a>)>);

impl Serialize for PrintedOutputs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, printed)| (name, printed)))
    }
}

/// One printed output: a JSON value, or a table's rows.
enum Printed<'a> {
    Value(&'a Value),
    Table(JsonRows<'a>),
}

impl Serialize for Printed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Printed::Value(value) => value.serialize(serializer),
            Printed::Table(rows) => rows.serialize(serializer),
        }
    }
}

/// A JSON formatter that writes the first [`LINED_LEVELS`] levels as
/// serde_json's pretty formatter does (two spaces a level) and anything
/// nested deeper compactly, on the line of its parent's item.
#[derive(Default)]
struct RowsOnLines {
    /// Arrays and objects open around the value being written.
    depth: usize,
    /// Whether the innermost open array or object has an item yet.
    has_item: bool,
}

impl RowsOnLines {
    /// Whether the innermost open array or object writes its items on lines.
    fn lined(&self) -> bool {
        self.depth <= LINED_LEVELS
    }

    /// Starts an item of the innermost open array or object.
    fn begin_item<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        match (self.lined(), first) {
            (true, true) => writer.write_all(b"\n")?,
            (true, false) => writer.write_all(b",\n")?,
            (false, true) => return Ok(()),
            (false, false) => return writer.write_all(b","),
        }
        indent(writer, self.depth)
    }

    /// Opens an array or object with `open`.
    fn open<W: ?Sized + Write>(&mut self, writer: &mut W, open: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_item = false;
        writer.write_all(open)
    }

    /// Ends the innermost open array or object, closing it with `close`.
    fn end<W: ?Sized + Write>(&mut self, writer: &mut W, close: &[u8]) -> io::Result<()> {
        let lined = self.lined();
        self.depth -= 1;
        if lined && self.has_item {
            writer.write_all(b"\n")?;
            indent(writer, self.depth)?;
        }
        writer.write_all(close)
    }
}

/// Writes two spaces per level.
fn indent<W: ?Sized + Write>(writer: &mut W, levels: usize) -> io::Result<()> {
    for _ in 0..levels {
        writer.write_all(b"  ")?;
    }
    Ok(())
}

impl Formatter for RowsOnLines {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_item(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_item = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_item(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(if self.lined() { b": " } else { b":" })
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_item = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pipec_runtime::tables::RecordBatch;
    use serde_json::json;

    use super::*;

    fn written(
        outputs: Value,
        tables: BTreeMap<String, Vec<RecordBatch>>,
        order: &[&str],
    ) -> String {
        let Value::Object(outputs) = outputs else {
            panic!("outputs are an object")
        };
        let mut out = Vec::new();
        write_outputs(&mut out, &outputs, &tables, order).expect("writes to memory");
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn outputs_and_their_items_are_lined_and_deeper_values_are_on_one_line() {
        let outputs = json!({
            "count": 2,
            "names": ["a", "b"],
            "people": [{"name": "Ann", "tags": ["x"]}, {"name": "Bo", "tags": []}],
            "empty": [],
            "config": {"db": {"host": "h", "port": 1}, "on": true},
            "none": {},
        });
        let text = written(
            outputs,
            BTreeMap::new(),
            &[
                "count", "names", "people", "empty", "config", "none", "missing",
            ],
        );
        assert_eq!(
            text,
            "{\n  \"count\": 2,\n  \"names\": [\n    \"a\",\n    \"b\"\n  ],\n  \"people\": [\n    \
             {\"name\":\"Ann\",\"tags\":[\"x\"]},\n    {\"name\":\"Bo\",\"tags\":[]}\n  ],\n  \
             \"empty\": [],\n  \"config\": {\n    \"db\": {\"host\":\"h\",\"port\":1},\n    \
             \"on\": true\n  },\n  \"none\": {}\n}\n"
        );
        let reread: Value = serde_json::from_str(&text).expect("the text is JSON");
        assert_eq!(reread["people"][1]["name"], "Bo");
    }

    #[test]
    fn no_outputs_are_an_empty_object() {
        assert_eq!(written(json!({}), BTreeMap::new(), &["a"]), "{}\n");
    }

    #[test]
    fn a_table_is_one_row_per_line_in_column_order() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        use datafusion::arrow::datatypes::{DataType, Field, Schema};
        let schema = Arc::new(Schema::new(vec![
            Field::new("region", DataType::Utf8, true),
            Field::new("amount", DataType::Int64, false),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec![Some("EU"), None])),
                Arc::new(Int64Array::from(vec![10, 7])),
            ],
        )
        .expect("a batch");
        let tables = BTreeMap::from([
            ("answer".to_string(), vec![batch]),
            ("none".to_string(), vec![]),
        ]);
        assert_eq!(
            written(json!({"total": 2}), tables, &["total", "answer", "none"]),
            "{\n  \"total\": 2,\n  \"answer\": [\n    {\"region\":\"EU\",\"amount\":10},\n    \
             {\"region\":null,\"amount\":7}\n  ],\n  \"none\": []\n}\n"
        );
    }
}
