//! The tables an `sql(...)` text reads, found with the SQL parser DataFusion uses.

use std::ops::ControlFlow;

use sqlparser::ast::{Query, Visit, Visitor, visit_relations};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The table names a query reads (lower-cased as DataFusion resolves
/// unquoted names), common table expressions excluded; or the parser's error.
pub fn table_references(text: &str) -> Result<Vec<String>, String> {
    let statements = Parser::parse_sql(&GenericDialect {}, text).map_err(|e| e.to_string())?;
    let mut ctes = CteNames(Vec::new());
    let _ = statements.visit(&mut ctes);
    let mut tables = Vec::new();
    for statement in &statements {
        let _ = visit_relations(statement, |name| {
            let text = name.to_string();
            let table = text
                .rsplit('.')
                .next()
                .unwrap_or(&text)
                .trim_matches('"')
                .to_string();
            if !ctes.0.iter().any(|c| c.eq_ignore_ascii_case(&table)) && !tables.contains(&table) {
                tables.push(table);
            }
            ControlFlow::<()>::Continue(())
        });
    }
    Ok(tables)
}

/// Collects the names `WITH` introduces.
struct CteNames(Vec<String>);

impl Visitor for CteNames {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.0.push(cte.alias.name.value.clone());
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::table_references;

    #[test]
    fn tables_joins_subqueries_and_ctes() {
        let tables = table_references(
            "with big as (select * from orders where amount > 10) \
             select * from big join customers c on big.customer_id = c.id \
             where c.id in (select id from vip)",
        )
        .expect("parses");
        assert_eq!(tables, vec!["orders", "customers", "vip"]);
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(table_references("selec * from t").is_err());
    }
}
