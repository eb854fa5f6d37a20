//! Built-in pipes and operators of the `.pipe` language, with their declarations.
//!
//! The operators are declared in the language itself ([`PRELUDE`]), so the
//! checker, hover and the docs share one source. Pipes are declared in
//! [`pipes::PIPES`]. Their implementations arrive with the runtime (issue 4).
#![warn(missing_docs)]

pub mod pipes;

/// The `plugin` declarations of the built-in operators, as `.pipe` source.
pub const PRELUDE: &str = include_str!("prelude.pipe");

/// The name the prelude is shown under in diagnostics.
pub const PRELUDE_NAME: &str = "<stdlib>/prelude.pipe";

/// The operators that work on tables (run on DataFusion).
pub const TABLE_OPERATORS: &[&str] = &[
    "read_csv",
    "read_parquet",
    "read_json",
    "sql",
    "filter",
    "select",
    "join",
    "union",
    "aggregate",
    "group_size",
    "sort",
    "limit",
    "distinct",
    "write_csv",
    "write_parquet",
    "rows",
    "to_table",
];

/// The record-and-file operators that only read.
const READERS: &[&str] = &["list_files", "read_text", "read_json_value"];

/// Whether an operator has no effect of its own (it only computes a value):
/// the readers and the table operators that do not write. A node calling one
/// that nothing reads is wasted work (warning W0101).
pub fn is_pure(operator: &str) -> bool {
    READERS.contains(&operator)
        || (TABLE_OPERATORS.contains(&operator) && !operator.starts_with("write_"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn operator_lists_name_declared_operators() {
        for name in super::TABLE_OPERATORS.iter().chain(super::READERS) {
            assert!(
                super::PRELUDE.contains(&format!("plugin {name}(")),
                "{name} is not declared in the prelude"
            );
        }
    }

    #[test]
    fn writers_have_effects() {
        assert!(
            super::is_pure("read_csv") && super::is_pure("sql") && super::is_pure("list_files")
        );
        assert!(
            !super::is_pure("write_parquet") && !super::is_pure("exec") && !super::is_pure("echo")
        );
    }
}
