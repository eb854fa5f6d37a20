//! The inputs of a pipeline as a JSON Schema (2020-12), for forms and CI.

use serde_json::{Map, Value, json};

use crate::analyze::PipelineInfo;
use crate::plan::{Plan, PlanExpr};
use crate::types::Type;

/// The JSON Schema of one type.
pub fn type_schema(ty: &Type) -> Value {
    match ty {
        Type::Any | Type::Json => json!({}),
        Type::Null => json!({ "type": "null" }),
        Type::Bool => json!({ "type": "boolean" }),
        Type::Int => json!({ "type": "integer" }),
        Type::Float => json!({ "type": "number" }),
        Type::String => json!({ "type": "string" }),
        Type::Path => json!({ "type": "string", "x-pipe-type": "path" }),
        Type::Duration => {
            json!({ "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(ms|s|m|h|d)$", "x-pipe-type": "duration" })
        }
        Type::Size => {
            json!({ "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", "x-pipe-type": "size" })
        }
        Type::List(of) => json!({ "type": "array", "items": type_schema(of) }),
        Type::Optional(of) => json!({ "anyOf": [type_schema(of), { "type": "null" }] }),
        Type::Record(fields) => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|(k, v)| (k.clone(), type_schema(v)))
                .collect();
            let required: Vec<&String> = fields
                .iter()
                .filter(|(_, v)| !matches!(v, Type::Optional(_)))
                .map(|(k, _)| k)
                .collect();
            json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
        }
        Type::Table(schema) => json!({
            "description": match schema { Some(s) => format!("a table of {s} rows, given by the host"), None => "a table, given by the host".to_string() },
            "x-pipe-type": "table",
        }),
    }
}

/// The JSON value of a constant expression, when it is one.
pub fn literal_json(expr: &PlanExpr) -> Option<Value> {
    Some(match expr {
        PlanExpr::Null => Value::Null,
        PlanExpr::Bool(b) => json!(b),
        PlanExpr::Int(i) => json!(i),
        PlanExpr::Float(f) => json!(f),
        PlanExpr::String(s) => json!(s),
        PlanExpr::List(items) => {
            Value::Array(items.iter().map(literal_json).collect::<Option<_>>()?)
        }
        PlanExpr::Record(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Some((k.clone(), literal_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// The JSON Schema of a pipeline's inputs. `docs` is the pipeline's doc comment.
pub fn inputs_schema(info: &PipelineInfo, plan: &Plan, docs: Option<String>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (input, planned) in info.inputs.iter().zip(&plan.inputs) {
        let mut schema = type_schema(&input.ty);
        if let Value::Object(map) = &mut schema {
            if let Some(docs) = &input.docs {
                map.insert("description".into(), json!(docs));
            }
            match &planned.default {
                Some(PlanExpr::DurationMs(ms)) => {
                    map.insert("default".into(), json!(format!("{ms}ms")));
                }
                Some(PlanExpr::SizeBytes(bytes)) => {
                    map.insert("default".into(), json!(format!("{bytes}B")));
                }
                Some(other) => {
                    if let Some(default) = literal_json(other) {
                        map.insert("default".into(), default);
                    }
                }
                None => {}
            }
        }
        if planned.required {
            required.push(json!(input.name));
        }
        properties.insert(input.name.clone(), schema);
    }
    let mut root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": info.name,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    if let Some(docs) = docs {
        root["description"] = json!(docs);
    }
    root
}
