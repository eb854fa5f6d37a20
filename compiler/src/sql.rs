//! The tables an `sql(...)` text reads, found with the SQL parser DataFusion uses.

use std::ops::ControlFlow;

use sqlparser::ast::{Query, TableFactor, Visit, Visitor};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The table names a query reads, common table expressions and table
/// functions (`generate_series(1, 10)`) excluded; or the parser's error.
pub fn table_references(text: &str) -> Result<Vec<String>, String> {
    let statements = Parser::parse_sql(&GenericDialect {}, text).map_err(|e| e.to_string())?;
    let mut found = Relations::default();
    let _ = statements.visit(&mut found);
    let ctes = found.ctes;
    let mut tables = Vec::new();
    for table in found.tables {
        if !ctes.iter().any(|c| c.eq_ignore_ascii_case(&table)) && !tables.contains(&table) {
            tables.push(table);
        }
    }
    Ok(tables)
}

/// The names `WITH` introduces and the tables `FROM`/`JOIN` read, in order.
#[derive(Default)]
struct Relations {
    ctes: Vec<String>,
    tables: Vec<String>,
}

impl Visitor for Relations {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.push(cte.alias.name.value.clone());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name, args: None, ..
        } = factor
        {
            let text = name.to_string();
            let table = text.rsplit('.').next().unwrap_or(&text).trim_matches('"');
            self.tables.push(table.to_string());
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
    fn table_functions_are_not_tables() {
        let tables =
            table_references("select value from generate_series(1, 10) join t on t.n = value")
                .expect("parses");
        assert_eq!(tables, vec!["t"]);
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(table_references("selec * from t").is_err());
    }
}
