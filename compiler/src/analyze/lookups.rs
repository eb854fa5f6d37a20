//! What other parts of the compiler ask of a source's analysis: schemas
//! as columns or types, a pipeline's declared types, callees and their
//! signatures.

use super::*;

/// A schema visible from `source`, written as the column list a table
/// reader's `schema:` takes (`"id int, amount float"`); `None` when there is
/// no such schema or a field has no column type (a list, a record).
pub(crate) fn schema_columns_text(db: &dyn Db, source: Source, name: &str) -> Option<String> {
    let found = scope::lookup(db, source, Kind::Schema, name)?;
    let Item::Schema(schema) = item_interface(db, found.source, found.index).as_ref()? else {
        return None;
    };
    let columns = schema
        .fields
        .iter()
        .map(|field| {
            let ty = crate::tables::column_word(&field.ty)?;
            Some(format!("{} {ty}", field.name.name))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(columns.join(", "))
}

/// The record type of a schema visible from `source`.
pub(crate) fn schema_type(db: &dyn Db, source: Source, name: &str) -> Option<Type> {
    let found = scope::lookup(db, source, Kind::Schema, name)?;
    let Item::Schema(schema) = item_interface(db, found.source, found.index).as_ref()? else {
        return None;
    };
    let mut fields = std::collections::BTreeMap::new();
    for field in &schema.fields {
        let inner = |n: &str| {
            if n == name {
                None
            } else {
                schema_type(db, found.source, n)
            }
        };
        fields.insert(
            field.name.name.clone(),
            lower_type(&field.ty, &inner).unwrap_or(Type::Any),
        );
    }
    Some(Type::record(fields))
}

/// The names pipeline `item` of a source read as pieces declares, with their types.
pub(crate) fn scope_types(db: &dyn Db, source: Source, item: usize) -> crate::ide::PipelineTypes {
    let scope = pipeline_scope(db, source, item);
    let mut secrets: Vec<String> = scope.secrets.iter().cloned().collect();
    secrets.sort();
    crate::ide::PipelineTypes {
        inputs: scope
            .inputs
            .iter()
            .map(|(name, ty)| (name.clone(), ty.clone()))
            .collect(),
        secrets,
        nodes: scope
            .nodes
            .iter()
            .map(|(name, typed)| (name.clone(), typed.clone()))
            .collect(),
    }
}

/// Where the callee written as `path` is defined, as seen from `source`.
pub(crate) fn callee_at(db: &dyn Db, source: Source, path: &[Ident]) -> Option<scope::Found> {
    signature::find_callee(db, source, path).ok()
}

/// The signature of the plugin or pipeline at `found` (memoised).
pub(crate) fn signature_of(db: &dyn Db, found: scope::Found) -> Option<&Signature> {
    signature::found_signature(db, found.source, found.index).as_ref()
}
