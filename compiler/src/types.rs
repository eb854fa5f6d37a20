//! The type system: the types of the brief, their spelling, and assignability.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use pipec_grammar::ast::{TypeExpr, TypeKind};
use serde::Serialize;

/// A type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum Type {
    /// Unknown or not checked: compatible with everything (no false errors).
    Any,
    /// `null`
    Null,
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `float`
    Float,
    /// `string`
    String,
    /// `path`
    Path,
    /// `duration`
    Duration,
    /// `size`
    Size,
    /// `json`
    Json,
    /// `list<T>`
    List(Box<Type>),
    /// `T?`
    Optional(Box<Type>),
    /// `{ field: T, ... }` (shared: a record type is cloned into every place that names it).
    Record(Arc<BTreeMap<String, Type>>),
    /// `table` or `table<Schema>` (the schema's name).
    Table(Option<String>),
}

impl Type {
    /// Whether a parameter or input of this type takes a path (`path`,
    /// `path?`): text written in the file for it resolves against the file's
    /// directory ([`crate::paths`]).
    pub fn takes_path(&self) -> bool {
        match self {
            Type::Path => true,
            Type::Optional(inner) => matches!(**inner, Type::Path),
            _ => false,
        }
    }

    /// `list<T>`
    pub fn list(of: Type) -> Type {
        Type::List(Box::new(of))
    }

    /// `{ field: T, ... }`
    pub fn record(fields: BTreeMap<String, Type>) -> Type {
        Type::Record(Arc::new(fields))
    }

    /// `T?` (not doubled; `any?` is `any`).
    pub fn optional(of: Type) -> Type {
        match of {
            Type::Optional(_) | Type::Any | Type::Null | Type::Json => of,
            other => Type::Optional(Box::new(other)),
        }
    }

    /// The type without `?`.
    pub fn non_null(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner,
            other => other,
        }
    }

    /// The element type of a list (`any` for anything else).
    pub fn element(&self) -> Type {
        match self.non_null() {
            Type::List(of) => (**of).clone(),
            _ => Type::Any,
        }
    }

    /// Whether a value of type `self` may be used where `expected` is wanted.
    pub fn assignable_to(&self, expected: &Type) -> bool {
        use Type::*;
        match (self, expected) {
            (Any, _) | (_, Any) | (_, Json) => true,
            (Json, _) => true,
            (Null, Optional(_)) => true,
            (Optional(inner), Optional(want)) => inner.assignable_to(want),
            // Lenient on purpose: `files.path | first` is `path?`, and a null
            // where a value is needed fails that task at run time with a clear
            // message (as `| required` does). An explicit `null` is still an error.
            (Optional(inner), want) => inner.assignable_to(want),
            (found, Optional(want)) => found.assignable_to(want),
            (Int, Float) | (String, Path) | (Path, String) => true,
            (List(found), List(want)) => found.assignable_to(want),
            (Record(found), Record(want)) => want.iter().all(|(name, ty)| {
                found
                    .get(name)
                    .map_or(matches!(ty, Optional(_) | Any | Json), |f| {
                        f.assignable_to(ty)
                    })
            }),
            (Table(_), Table(None)) | (Table(None), Table(_)) => true,
            (Table(Some(a)), Table(Some(b))) => a == b,
            (a, b) => a == b,
        }
    }

    /// The type of field `name`, if the type has fields.
    pub fn field(&self, name: &str) -> Option<Type> {
        match self.non_null() {
            Type::Any | Type::Json => Some(Type::Any),
            Type::Record(fields) => fields.get(name).cloned(),
            _ => None,
        }
    }

    /// Whether the type is a number.
    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Any | Type::Json)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::Null => f.write_str("null"),
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::String => f.write_str("string"),
            Type::Path => f.write_str("path"),
            Type::Duration => f.write_str("duration"),
            Type::Size => f.write_str("size"),
            Type::Json => f.write_str("json"),
            Type::List(of) => write!(f, "list<{of}>"),
            Type::Optional(of) => write!(f, "{of}?"),
            Type::Record(fields) => {
                f.write_str("{ ")?;
                for (n, (name, ty)) in fields.iter().enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{name}: {ty}")?;
                }
                f.write_str(" }")
            }
            Type::Table(None) => f.write_str("table"),
            Type::Table(Some(schema)) => write!(f, "table<{schema}>"),
        }
    }
}

/// Why a written type is not a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    /// A name that is no type and no schema.
    Unknown(String),
    /// A generic with the wrong argument (`table<int>`) or an unknown generic (`map<int>`).
    BadGeneric(String),
}

/// Turns a written type into a type; `schema` looks up schema names.
pub fn lower_type(
    ty: &TypeExpr,
    schema: &dyn Fn(&str) -> Option<Type>,
) -> Result<Type, (TypeError, pipec_grammar::span::Span)> {
    let base = match &ty.kind {
        TypeKind::Named(name) => match name.name.as_str() {
            "any" => Type::Any,
            "bool" => Type::Bool,
            "int" => Type::Int,
            "float" => Type::Float,
            "string" => Type::String,
            "path" => Type::Path,
            "duration" => Type::Duration,
            "size" => Type::Size,
            "json" => Type::Json,
            "table" => Type::Table(None),
            "null" => Type::Null,
            other => schema(other).ok_or((TypeError::Unknown(other.to_string()), name.span))?,
        },
        TypeKind::Generic(name, arg) => match name.name.as_str() {
            "list" => Type::list(lower_type(arg, schema)?),
            "table" => match &arg.kind {
                TypeKind::Named(schema_name) if schema(&schema_name.name).is_some() => {
                    Type::Table(Some(schema_name.name.clone()))
                }
                _ => {
                    return Err((
                        TypeError::BadGeneric(format!("table<{}>", arg_text(arg))),
                        arg.span,
                    ));
                }
            },
            other => return Err((TypeError::BadGeneric(other.to_string()), name.span)),
        },
        TypeKind::Record(fields) => {
            let mut out = BTreeMap::new();
            for field in fields {
                out.insert(field.name.name.clone(), lower_type(&field.ty, schema)?);
            }
            Type::record(out)
        }
    };
    Ok(if ty.optional {
        Type::optional(base)
    } else {
        base
    })
}

fn arg_text(ty: &TypeExpr) -> String {
    match &ty.kind {
        TypeKind::Named(n) => n.name.clone(),
        TypeKind::Generic(n, _) => format!("{}<...>", n.name),
        TypeKind::Record(_) => "{...}".into(),
    }
}

/// The names of the built-in types, for "did you mean".
pub const TYPE_NAMES: &[&str] = &[
    "bool", "int", "float", "string", "path", "duration", "size", "json", "list", "table",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignability() {
        assert!(Type::Int.assignable_to(&Type::Float));
        assert!(!Type::Float.assignable_to(&Type::Int));
        assert!(Type::String.assignable_to(&Type::Path));
        assert!(Type::Null.assignable_to(&Type::optional(Type::Int)));
        assert!(Type::optional(Type::Int).assignable_to(&Type::Int));
        assert!(!Type::Null.assignable_to(&Type::Int));
        assert!(Type::list(Type::Int).assignable_to(&Type::list(Type::Float)));
        assert!(!Type::list(Type::String).assignable_to(&Type::list(Type::Int)));
        assert!(Type::Any.assignable_to(&Type::Bool) && Type::Bool.assignable_to(&Type::Any));
        assert_eq!(
            Type::optional(Type::optional(Type::Int)),
            Type::optional(Type::Int)
        );
    }

    #[test]
    fn display() {
        let record = Type::record(BTreeMap::from([(
            "a".to_string(),
            Type::list(Type::optional(Type::Int)),
        )]));
        assert_eq!(record.to_string(), "{ a: list<int?> }");
    }
}
