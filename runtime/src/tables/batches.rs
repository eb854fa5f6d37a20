//! Tables a host plugin returns as Arrow batches, kept as tables of the
//! run like any table operator's.

use std::sync::Arc;

use datafusion::datasource::MemTable;

use super::{RecordBatch, Tables};

impl Tables {
    /// Keeps `batches` (at least one, possibly empty: it gives the schema)
    /// as a table made by `node`, and returns its handle.
    pub fn keep_batches(
        &self,
        node: &str,
        batches: Vec<RecordBatch>,
    ) -> Result<serde_json::Value, String> {
        let schema = batches
            .first()
            .map(RecordBatch::schema)
            .ok_or("a table needs at least one batch (an empty one gives its columns)")?;
        if let Some(other) = batches.iter().find(|b| b.schema() != schema) {
            return Err(format!(
                "the batches of a table must share one schema: {} and {}",
                schema,
                other.schema()
            ));
        }
        let table = MemTable::try_new(schema, vec![batches]).map_err(|e| e.to_string())?;
        let frame = self
            .context()
            .read_table(Arc::new(table))
            .map_err(|e| e.to_string())?;
        Ok(self.keep(frame, node, Arc::new(Vec::new())))
    }
}
