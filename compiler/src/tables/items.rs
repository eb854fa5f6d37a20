//! The columns `to_table` gives its table, read from its items' record type.
//!
//! `to_table(scores)` over a node whose items are `{ name: string, score:
//! float }` makes a table of those two columns. The run builds the table from
//! the items themselves, so these columns matter where the items cannot
//! tell: when there are none (an `each` whose filter kept nothing), or when
//! a field never appears. `check` types the table with them when every
//! field has a column type.

use pipec_grammar::ast::{Expr, ExprKind};

use crate::types::Type;

/// A column of a table made from items: its name, and its declared-schema
/// type word (`int`, `float`, `string`, `bool`), or `None` where the items'
/// type says no more (`json`, `any`, a list, a record).
pub type ItemColumn = (String, Option<&'static str>);

/// The columns the items of `items` (a `to_table` argument) give a table,
/// when the argument is a reference to records: `to_table(scores)`,
/// `to_table(big.value)`. `item_of` gives a node's item type (a list for a
/// node with many items). Columns come in field name order.
pub fn item_columns(
    items: &Expr,
    item_of: impl Fn(&str) -> Option<Type>,
) -> Option<Vec<ItemColumn>> {
    let ExprKind::Ref(path) = &items.kind else {
        return None;
    };
    let (head, fields) = path.split_first()?;
    let mut ty = item_of(&head.name)?;
    for field in fields {
        ty = element(&ty).field(&field.name)?;
    }
    let Type::Record(fields) = element(&ty) else {
        return None;
    };
    if fields.is_empty() {
        return None;
    }
    Some(
        fields
            .iter()
            .map(|(name, ty)| (name.clone(), column_word(ty)))
            .collect(),
    )
}

/// One item of a list type, or the type itself.
fn element(ty: &Type) -> Type {
    match ty.non_null() {
        Type::List(of) => of.non_null().clone(),
        other => other.clone(),
    }
}

/// The declared-schema word of a field's type, if it is a column type.
fn column_word(ty: &Type) -> Option<&'static str> {
    match ty.non_null() {
        Type::Int => Some("int"),
        Type::Float => Some("float"),
        Type::String | Type::Path => Some("string"),
        Type::Bool => Some("bool"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::item_columns;
    use crate::types::Type;
    use std::collections::BTreeMap;

    fn parsed(text: &str) -> pipec_grammar::ast::Expr {
        let file: pipec_grammar::diagnostic::FileName = "test.pipe".into();
        pipec_grammar::parser::parse_expr(&file, text).expect("an expression")
    }

    fn scores() -> Type {
        let mut value = BTreeMap::new();
        value.insert("name".to_string(), Type::String);
        value.insert("score".to_string(), Type::Optional(Box::new(Type::Float)));
        value.insert("extra".to_string(), Type::Json);
        let mut item = BTreeMap::new();
        item.insert("value".to_string(), Type::record(value));
        Type::list(Type::record(item))
    }

    #[test]
    fn a_record_fields_are_the_columns() {
        let item_of = |name: &str| (name == "big").then(scores);
        let columns = item_columns(&parsed("big.value"), item_of).expect("columns");
        assert_eq!(
            columns,
            vec![
                ("extra".to_string(), None),
                ("name".to_string(), Some("string")),
                ("score".to_string(), Some("float")),
            ]
        );
        let whole = item_columns(&parsed("big"), item_of).expect("columns");
        assert_eq!(whole, vec![("value".to_string(), None)]);
        assert!(item_columns(&parsed("big.value.name"), item_of).is_none());
        assert!(item_columns(&parsed("other"), item_of).is_none());
        assert!(item_columns(&parsed("[1, 2]"), item_of).is_none());
    }
}
