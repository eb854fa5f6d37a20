//! The tables an `sql(...)` text reads, found with the SQL parser DataFusion uses.

use std::ops::ControlFlow;

use pipec_grammar::ast::{StringLit, StringPart};
use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Query, Spanned, TableFactor, Visit,
    Visitor,
};
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

/// A call of a function in SQL text: where it is (1-based lines and
/// columns), and each argument's column name where the argument is a plain
/// column (`amount`, `o.amount`).
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionCall {
    /// Where the call is, from its name to its closing parenthesis.
    pub span: sqlparser::tokenizer::Span,
    /// Each argument: the column it names, or `None` for anything else.
    pub column_arguments: Vec<Option<String>>,
}

/// The calls of the function `name` (any case) in `text`, in the order
/// they are written; none when the text does not parse.
pub fn function_calls(text: &str, name: &str) -> Vec<FunctionCall> {
    let Ok(statements) = Parser::parse_sql(&GenericDialect {}, text) else {
        return Vec::new();
    };
    let mut found = CallsOf {
        name,
        calls: Vec::new(),
    };
    let _ = statements.visit(&mut found);
    let mut calls = found.calls;
    calls.sort_by_key(|call| (call.span.start.line, call.span.start.column));
    calls
}

/// Collects the calls of one function.
struct CallsOf<'a> {
    name: &'a str,
    calls: Vec<FunctionCall>,
}

impl Visitor for CallsOf<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Some((name, arguments)) = engine_call(expr)
            && name.eq_ignore_ascii_case(self.name)
        {
            self.calls.push(FunctionCall {
                span: expr.span(),
                column_arguments: arguments.into_iter().map(column_named).collect(),
            });
        }
        ControlFlow::Continue(())
    }
}

/// The function an expression calls, as the engine names it, and its
/// arguments: a plain call (`sum(amount)`), or SQL's own syntax for one
/// (`substring(name from 2)` is `substr`, `position('a' in name)` is
/// `strpos(name, 'a')`, `extract(year from day)` is `date_part`, `trim(...)`
/// is `btrim`, `ltrim` or `rtrim`, `ceil` and `floor`). An argument that is
/// not an expression (a `*`, a date part) is `None`.
fn engine_call(expr: &Expr) -> Option<(String, Vec<Option<&Expr>>)> {
    use sqlparser::ast::TrimWhereField;
    Some(match expr {
        Expr::Function(function) => {
            let arguments = match &function.args {
                FunctionArguments::List(list) => list
                    .args
                    .iter()
                    .map(|arg| match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (function.name.to_string(), arguments)
        }
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => {
            let mut arguments = vec![Some(expr.as_ref())];
            arguments.extend(substring_from.as_deref().map(Some));
            arguments.extend(substring_for.as_deref().map(Some));
            ("substr".to_string(), arguments)
        }
        Expr::Position { expr, r#in } => ("strpos".to_string(), vec![Some(r#in), Some(expr)]),
        Expr::Extract { expr, .. } => ("date_part".to_string(), vec![None, Some(expr)]),
        Expr::Trim {
            trim_where,
            trim_what,
            expr,
            ..
        } => {
            let name = match trim_where {
                Some(TrimWhereField::Leading) => "ltrim",
                Some(TrimWhereField::Trailing) => "rtrim",
                _ => "btrim",
            };
            let mut arguments = vec![Some(expr.as_ref())];
            arguments.extend(trim_what.as_deref().map(Some));
            (name.to_string(), arguments)
        }
        Expr::Ceil { expr, .. } => ("ceil".to_string(), vec![Some(expr)]),
        Expr::Floor { expr, .. } => ("floor".to_string(), vec![Some(expr)]),
        _ => return None,
    })
}

/// The column an argument names, when it is a plain column (`amount`,
/// `o.amount`).
fn column_named(argument: Option<&Expr>) -> Option<String> {
    match argument? {
        Expr::Identifier(column) => Some(column.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|column| column.value.clone()),
        _ => None,
    }
}

/// A column written with its table's name (`dept.dept_id`) in SQL text.
#[derive(Debug, Clone, PartialEq)]
pub struct QualifiedColumn {
    /// The table's name or alias, as written.
    pub table: String,
    /// The column's name, as written.
    pub column: String,
    /// Where it is, from the table's name to the column's.
    pub span: sqlparser::tokenizer::Span,
}

/// The two-part names (`table.column`) of `text`, in the order they are
/// written; none when the text does not parse.
pub fn qualified_columns(text: &str) -> Vec<QualifiedColumn> {
    let Ok(statements) = Parser::parse_sql(&GenericDialect {}, text) else {
        return Vec::new();
    };
    let mut found = QualifiedColumns::default();
    let _ = statements.visit(&mut found);
    let mut columns = found.columns;
    columns.sort_by_key(|c| (c.span.start.line, c.span.start.column));
    columns
}

/// Collects two-part names.
#[derive(Default)]
struct QualifiedColumns {
    columns: Vec<QualifiedColumn>,
}

impl Visitor for QualifiedColumns {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::CompoundIdentifier(parts) = expr
            && let [table, column] = parts.as_slice()
        {
            self.columns.push(QualifiedColumn {
                table: table.value.clone(),
                column: column.value.clone(),
                span: expr.span(),
            });
        }
        ControlFlow::Continue(())
    }
}

/// Where the `WHERE` condition of `text` is, when it has exactly one
/// (counting those of subqueries and common table expressions); `None`
/// otherwise or when the text does not parse.
pub fn only_where_condition(text: &str) -> Option<sqlparser::tokenizer::Span> {
    let statements = Parser::parse_sql(&GenericDialect {}, text).ok()?;
    let mut conditions = Conditions::default();
    let _ = statements.visit(&mut conditions);
    match conditions.spans[..] {
        [only] => Some(only),
        _ => None,
    }
}

/// Where the `ORDER BY` keys (or, with `group`, the `GROUP BY` keys)
/// written as the position `number` are (`order by 9`), in the order
/// written; none when the text does not parse.
pub fn key_positions(text: &str, group: bool, number: &str) -> Vec<sqlparser::tokenizer::Span> {
    let Ok(statements) = Parser::parse_sql(&GenericDialect {}, text) else {
        return Vec::new();
    };
    let mut found = KeyPositions {
        group,
        number,
        spans: Vec::new(),
    };
    let _ = statements.visit(&mut found);
    found.spans
}

/// Collects the spans of `ORDER BY` or `GROUP BY` keys written as one
/// position.
struct KeyPositions<'a> {
    group: bool,
    number: &'a str,
    spans: Vec<sqlparser::tokenizer::Span>,
}

impl Visitor for KeyPositions<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let keys: Vec<&Expr> = if self.group {
            match query.body.as_ref() {
                sqlparser::ast::SetExpr::Select(select) => match &select.group_by {
                    sqlparser::ast::GroupByExpr::Expressions(keys, _) => keys.iter().collect(),
                    sqlparser::ast::GroupByExpr::All(_) => Vec::new(),
                },
                _ => Vec::new(),
            }
        } else {
            match query.order_by.as_ref().map(|o| &o.kind) {
                Some(sqlparser::ast::OrderByKind::Expressions(keys)) => {
                    keys.iter().map(|key| &key.expr).collect()
                }
                _ => Vec::new(),
            }
        };
        self.spans.extend(
            keys.into_iter()
                .filter(|key| matches!(key, Expr::Value(_)) && key.to_string() == self.number)
                .map(Spanned::span),
        );
        ControlFlow::Continue(())
    }
}

/// Collects the spans of `WHERE` conditions.
#[derive(Default)]
struct Conditions {
    spans: Vec<sqlparser::tokenizer::Span>,
}

impl Visitor for Conditions {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let sqlparser::ast::SetExpr::Select(select) = query.body.as_ref()
            && let Some(condition) = &select.selection
        {
            self.spans.push(condition.span());
        }
        ControlFlow::Continue(())
    }
}

/// The SQL text of a string literal with each `{expr}` read as `NULL`:
/// values are bound as parameters at run time, so the text's shape (its
/// tables, whether it parses) does not depend on them.
pub fn query_text(literal: &StringLit) -> String {
    literal
        .parts
        .iter()
        .map(|part| match part {
            StringPart::Text { value, .. } => value.as_str(),
            StringPart::Interpolation(_) => "NULL",
        })
        .collect()
}

/// Why `text` is not one SQL expression (an aggregate's value such as
/// `sum(amount)`), or `None` if it is.
pub fn expression_error(text: &str) -> Option<String> {
    let dialect = GenericDialect {};
    let mut parser = match Parser::new(&dialect).try_with_sql(text) {
        Ok(parser) => parser,
        Err(error) => return Some(error.to_string()),
    };
    if let Err(error) = parser.parse_expr() {
        return Some(error.to_string());
    }
    let next = parser.peek_token();
    (next.token != sqlparser::tokenizer::Token::EOF)
        .then(|| format!("`{next}` follows a whole expression"))
}

/// Why SQL text does not parse, read from the parser's message
/// (`Expected: end of statement, found: form at Line: 1, Column: 10`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What the parser expected (`end of statement`), when it says.
    pub expected: Option<String>,
    /// What it found instead (`form`, `EOF`), when it says.
    pub found: Option<String>,
    /// The parser's words without their prefix and position.
    pub message: String,
    /// The 1-based line and column (in characters) it stopped at, if given.
    pub at: Option<(u64, u64)>,
}

impl SyntaxError {
    /// Reads a parser's message, with or without its `sql parser error: `
    /// prefix.
    pub fn of(message: &str) -> SyntaxError {
        let message = message.trim();
        let message = message
            .strip_prefix("sql parser error: ")
            .unwrap_or(message);
        let (words, at) = match message.rsplit_once(" at Line: ") {
            Some((words, place)) => {
                let at = place.split_once(", Column: ").and_then(|(line, column)| {
                    Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
                });
                (words, at)
            }
            None => (message, None),
        };
        let (expected, found) = match words.strip_prefix("Expected: ") {
            Some(rest) => match rest.rsplit_once(", found: ") {
                Some((expected, found)) => (Some(expected.to_string()), Some(found.to_string())),
                None => (Some(rest.to_string()), None),
            },
            None => (None, None),
        };
        SyntaxError {
            expected,
            found,
            message: words.to_string(),
            at,
        }
    }

    /// Whether the parser met the end of the text.
    pub fn at_end(&self) -> bool {
        self.found.as_deref() == Some("EOF")
    }
}

/// The SQL keywords a slip of the hand most often misspells, offered when
/// the parser stops at a word near one (`form` for `from`).
/// The likelier first.
pub const CLAUSE_KEYWORDS: [&str; 26] = [
    "select", "from", "where", "group", "order", "by", "having", "limit", "join", "and", "null",
    "distinct", "between", "like", "offset", "inner", "left", "right", "full", "outer", "union",
    "case", "when", "then", "else", "end",
];

/// The byte offset of the `(` that `text` leaves open (the last one not
/// closed, quotes skipped), if there is one.
pub fn unclosed_paren(text: &str) -> Option<usize> {
    let quoted = quoted_ranges(text);
    let mut open = Vec::new();
    for (at, c) in text.char_indices() {
        if quoted.iter().any(|r| r.contains(&at)) {
            continue;
        }
        match c {
            '(' => open.push(at),
            ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// The byte offset of the first `op` in `text` outside quotes.
pub fn find_operator(text: &str, op: &str) -> Option<usize> {
    let quoted = quoted_ranges(text);
    text.match_indices(op)
        .map(|(at, _)| at)
        .find(|at| !quoted.iter().any(|r| r.contains(at)))
}

/// Where a second statement starts in `text` (after a `;` outside quotes
/// that more than white space follows).
pub fn second_statement(text: &str) -> Option<usize> {
    let quoted = quoted_ranges(text);
    let semicolon = text
        .match_indices(';')
        .map(|(at, _)| at)
        .find(|at| !quoted.iter().any(|r| r.contains(at)) && !text[at + 1..].trim().is_empty())?;
    let rest = &text[semicolon + 1..];
    Some(semicolon + 1 + (rest.len() - rest.trim_start().len()))
}

/// The byte offset of `word` in `text` as a whole word (not inside a longer
/// name), ignoring ASCII case as SQL names do, if it is there. A use outside
/// quotes is preferred: SQL lowercases an unquoted name, so the `city` a
/// query lacks is the unquoted `City` of `group by City`, not the `"City"`
/// written before it; a quoted use is found when there is no other.
pub fn find_word(text: &str, word: &str) -> Option<usize> {
    let uses = whole_word_uses(text, word);
    // A name followed by `(` is a function called, not a column (`count`
    // of `count(*)` before `order by count`).
    let called = |at: &usize| text[at + word.len()..].trim_start().starts_with('(');
    let uses = match uses
        .iter()
        .copied()
        .filter(|at| !called(at))
        .collect::<Vec<_>>()
    {
        columns if !columns.is_empty() => columns,
        _ => uses,
    };
    let first = *uses.first()?;
    let quoted = quoted_ranges(text);
    let outside = |at: &usize| !quoted.iter().any(|r| r.contains(at));
    Some(uses.into_iter().find(outside).unwrap_or(first))
}

/// Whether `text` calls a function named `word` (`count(*)`), in any case.
pub fn is_called(text: &str, word: &str) -> bool {
    whole_word_uses(text, word)
        .into_iter()
        .any(|at| text[at + word.len()..].trim_start().starts_with('('))
}

/// The byte offsets of `word` in `text` as a whole word (not inside a
/// longer name), in any ASCII case, in order.
fn whole_word_uses(text: &str, word: &str) -> Vec<usize> {
    let lower = text.to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    lower
        .match_indices(&word)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = at.checked_sub(1).and_then(|i| bytes.get(i));
            let after = bytes.get(at + word.len());
            !before.is_some_and(is_name) && !after.is_some_and(is_name)
        })
        .collect()
}

/// `text` with every whole-word use of `word` outside quotes (any case)
/// written as a quoted identifier, `"word"`.
pub fn quote_word(text: &str, word: &str) -> String {
    let quoted = quoted_ranges(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut last = 0;
    for at in whole_word_uses(text, word) {
        if quoted.iter().any(|r| r.contains(&at)) {
            continue;
        }
        let end = at + word.len();
        out.push_str(&text[last..at]);
        out.push('"');
        out.push_str(&text[at..end]);
        out.push('"');
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

/// The byte ranges inside quotes: `'text'` and `"identifiers"`, with
/// doubled quotes as escapes.
fn quoted_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut open: Option<(u8, usize)> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match open {
            None if b == b'\'' || b == b'"' => open = Some((b, i + 1)),
            Some((quote, start)) if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 1; // a doubled quote stands for one
                } else {
                    ranges.push(start..i);
                    open = None;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if let Some((_, start)) = open {
        ranges.push(start..bytes.len());
    }
    ranges
}

/// Whether an interpolation between the SQL text `before` and `after` is the
/// whole of an `in (...)` list (`city in (` … `)`), where a list value is
/// bound as its items. The checker and the runtime both decide by this.
pub fn is_in_list(before: &str, after: &str) -> bool {
    let Some(open) = before.trim_end().strip_suffix('(') else {
        return false;
    };
    let open = open.trim_end();
    let is_in = open.len() >= 2
        && open[open.len() - 2..].eq_ignore_ascii_case("in")
        && !open[..open.len() - 2]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
    is_in && after.trim_start().starts_with(')')
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
    use super::{
        SyntaxError, find_operator, find_word, qualified_columns, second_statement,
        table_references, unclosed_paren,
    };

    #[test]
    fn syntax_errors_are_read_with_their_place() {
        let error = SyntaxError::of(
            "sql parser error: Expected: end of statement, found: form at Line: 2, Column: 10",
        );
        assert_eq!(error.expected.as_deref(), Some("end of statement"));
        assert_eq!(error.found.as_deref(), Some("form"));
        assert_eq!(error.at, Some((2, 10)));
        assert!(!error.at_end());
        let end = SyntaxError::of("Expected: ), found: EOF");
        assert_eq!(end.expected.as_deref(), Some(")"));
        assert!(end.at_end());
        assert_eq!(end.at, None);
        let quote = SyntaxError::of("Unterminated string literal at Line: 1, Column: 32");
        assert_eq!(quote.message, "Unterminated string literal");
        assert_eq!((quote.expected, quote.at), (None, Some((1, 32))));
    }

    #[test]
    fn open_parens_operators_and_statements_are_found_outside_quotes() {
        assert_eq!(unclosed_paren("a in ('(', 'b'"), Some(5));
        assert_eq!(unclosed_paren("(a) and (b or (c)"), Some(8));
        assert_eq!(unclosed_paren("f(a) and ')'"), None);
        assert_eq!(find_operator("x = '&&' and y && z", "&&"), Some(15));
        assert_eq!(find_operator("x = '&&'", "&&"), None);
        assert_eq!(second_statement("select 1; select 2"), Some(10));
        assert_eq!(second_statement("select 1;  "), None);
        assert_eq!(second_statement("select ';' as x"), None);
    }

    #[test]
    fn an_in_list_is_in_then_parentheses_around_the_value_alone() {
        use super::is_in_list;
        assert!(is_in_list("where city in (", ")"));
        assert!(is_in_list("where city NOT IN ( ", " ) and x"));
        assert!(!is_in_list("select max(", ")"));
        assert!(!is_in_list("where city = ", ""));
        assert!(!is_in_list("where city in ('a', ", ")"));
        assert!(!is_in_list("where join(", ")"));
        assert!(!is_in_list("where city in (", ", 'b')"));
    }

    #[test]
    fn one_expression_is_told_from_a_broken_or_longer_text() {
        use super::expression_error;
        assert_eq!(expression_error("sum(amount) * 2"), None);
        assert_eq!(expression_error("count(distinct city)"), None);
        assert!(expression_error("sum(amount) +").is_some());
        assert!(expression_error("sum(amount) as total").is_some_and(|e| e.contains("`as`")));
        assert!(expression_error("").is_some());
    }

    #[test]
    fn calls_in_sql_syntax_are_found_by_the_engine_name() {
        use super::function_calls;
        let text = "select substring(name from 2), position('a' in o.city), extract(year from day), trim(leading 'x' from code), sum(qty) from t";
        let arguments = |name: &str| -> Vec<Vec<Option<String>>> {
            function_calls(text, name)
                .into_iter()
                .map(|call| call.column_arguments)
                .collect()
        };
        assert_eq!(arguments("substr"), [vec![Some("name".into()), None]]);
        assert_eq!(arguments("strpos"), [vec![Some("city".into()), None]]);
        assert_eq!(arguments("date_part"), [vec![None, Some("day".into())]]);
        assert_eq!(arguments("ltrim"), [vec![Some("code".into()), None]]);
        assert_eq!(arguments("SUM"), [vec![Some("qty".into())]]);
        assert!(arguments("substring").is_empty());
    }

    #[test]
    fn key_positions_are_found_in_their_clause() {
        use super::key_positions;
        let text = "select a, b from t group by 2, 1 order by 2 desc, a";
        let columns = |group: bool, number: &str| -> Vec<u64> {
            key_positions(text, group, number)
                .iter()
                .map(|span| span.start.column)
                .collect()
        };
        assert_eq!(columns(true, "2"), [29]);
        assert_eq!(columns(false, "2"), [43]);
        assert!(columns(false, "1").is_empty());
        assert!(key_positions("select from where", false, "1").is_empty());
    }

    #[test]
    fn two_part_names_are_found_in_the_order_written() {
        let found = qualified_columns(
            "select d.name, e.id from e join d on e.d_id = d.id where d.budget > 1",
        );
        let names: Vec<(&str, &str, u64)> = found
            .iter()
            .map(|c| (c.table.as_str(), c.column.as_str(), c.span.start.column))
            .collect();
        assert_eq!(
            names,
            [
                ("d", "name", 8),
                ("e", "id", 16),
                ("e", "d_id", 38),
                ("d", "id", 47),
                ("d", "budget", 58)
            ]
        );
        assert!(qualified_columns("select from where").is_empty());
    }

    #[test]
    fn words_are_found_whole_and_in_any_case() {
        let text = "select idd, id_x from T where ID = 1";
        assert_eq!(find_word(text, "id"), Some(30));
        assert_eq!(find_word(text, "t"), Some(22));
        assert_eq!(find_word(text, "idd"), Some(7));
        assert_eq!(find_word(text, "x"), None);
        let quoted = r#"select "City", 'city' from t group by City"#;
        assert_eq!(find_word(quoted, "city"), Some(38));
        assert_eq!(find_word(r#"select "City" from t"#, "city"), Some(8));
    }

    #[test]
    fn a_word_is_quoted_where_it_is_a_name() {
        assert_eq!(
            super::quote_word("select order.id, 'order' from order, orders", "order"),
            r#"select "order".id, 'order' from "order", orders"#
        );
    }

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
