//! Completion: what may be written at the cursor, found from the text before
//! it (which is often not valid yet) and the analysis of the rest.

use pipec_compiler::ide::{self, PipelineTypes};
use pipec_compiler::queries::imports;
use pipec_compiler::scope::{self, Found, Kind};
use pipec_compiler::types::Type;
use pipec_compiler::{Db, Source};
use pipec_grammar::ast::Item;
use tower_lsp::lsp_types::{
    CompletionItem, CompletionItemKind, Documentation, InsertTextFormat, MarkupContent, MarkupKind,
};

use crate::hover::{describe, signature_line, value_type};
use crate::locate::Target;
use crate::signature::{call_at, parameters};
use crate::workspace::Workspace;

/// Keywords that start an item.
const ITEM_KEYWORDS: &[&str] = &["pipeline", "import", "schema", "plugin", "const"];
/// Keywords that start a pipeline member.
const MEMBER_KEYWORDS: &[&str] = &["input", "secret", "node", "output"];
/// The built-in type names.
const TYPES: &[&str] = &[
    "string", "int", "float", "bool", "path", "json", "duration", "size", "table", "list", "any",
];

/// Where the cursor is, as far as completion cares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// Top level, where items start.
    TopLevel,
    /// In a pipeline, where members start.
    Member,
    /// In a node's `{ ... }`, where clauses start.
    Clause,
    /// After `node NAME =`: a callee.
    Callee,
    /// After `name:` in a declaration: a type.
    Type,
    /// After `a.b.`: a member of `a.b`.
    After(Vec<String>),
    /// After `|`: a pipe.
    Pipe,
    /// In `sql("…")` or `filter("…")` text.
    Sql,
    /// Anywhere an expression may be.
    Expression,
}

/// The most completions returned at once; the list is then marked incomplete,
/// so that the editor asks again as the name is typed.
pub const MAX_ITEMS: usize = 200;

/// The completions at `offset` of the open document `source` that start with
/// the word before the cursor (at most [`MAX_ITEMS`]), and whether there were more.
pub fn complete(
    workspace: &Workspace,
    source: Source,
    text: &str,
    offset: usize,
) -> (Vec<CompletionItem>, bool) {
    let offset = floor_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let word_start = after_last(line, |c| !(c.is_ascii_alphanumeric() || c == '_'));
    let prefix = &line[word_start..];
    let mut items = candidates(workspace, source, text, offset, prefix);
    items.retain(|c| {
        c.filter_text
            .as_deref()
            .unwrap_or(&c.label)
            .starts_with(prefix)
    });
    let incomplete = items.len() > MAX_ITEMS;
    items.truncate(MAX_ITEMS);
    (items, incomplete)
}

/// The byte offset just after the last character of `text` that `stop`
/// matches (0 when none does): a character boundary, whatever the
/// character's width (`// café|` has its word start after the `é`).
fn after_last(text: &str, stop: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|&(_, c)| stop(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// Everything that may be written at `offset`.
fn candidates(
    workspace: &Workspace,
    source: Source,
    text: &str,
    offset: usize,
    prefix: &str,
) -> Vec<CompletionItem> {
    let db = &workspace.db;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let word_start = after_last(line, |c| !(c.is_ascii_alphanumeric() || c == '_'));
    let before_word = &line[..word_start];
    let pipeline = enclosing_pipeline(db, source, text, offset);
    let place = place(db, source, text, offset, line, before_word, pipeline);
    let mut out = Vec::new();
    let types = pipeline.map(|p| (p, ide::pipeline_types(db, source, p)));
    match place {
        Place::TopLevel => keywords(&mut out, ITEM_KEYWORDS),
        Place::Member => keywords(&mut out, MEMBER_KEYWORDS),
        Place::Clause => {
            keywords(&mut out, pipec_grammar::parser::CLAUSE_KEYWORDS);
        }
        Place::Callee => callees(workspace, source, &mut out),
        Place::Type => {
            for name in TYPES {
                out.push(item(name, CompletionItemKind::TYPE_PARAMETER, None));
            }
            for name in scope::visible_names(db, source, Kind::Schema) {
                out.push(item(&name, CompletionItemKind::STRUCT, Some("schema")));
            }
        }
        Place::Pipe => {
            for pipe in pipec_stdlib::pipes::PIPES {
                let mut completion = item(pipe.name, CompletionItemKind::FUNCTION, None);
                completion.detail = Some(pipe.usage());
                completion.documentation = Some(markdown(pipe.doc.to_string()));
                out.push(completion);
            }
        }
        Place::After(path) => {
            if let Some((index, types)) = &types {
                after_dot(workspace, source, *index, types, &path, &mut out);
            } else {
                alias_members(db, source, &path, &mut out);
            }
        }
        Place::Sql => {
            if let Some((index, types)) = &types {
                // The node being written is no table of its own SQL.
                let own = member_at(db, source, *index, offset);
                for (name, (item_type, many)) in &types.nodes {
                    if Some(name.as_str()) == own {
                        continue;
                    }
                    if matches!(item_type, Type::Table(_)) || *many {
                        let mut completion = item(name, CompletionItemKind::CLASS, None);
                        completion.detail = Some(format!("table {}", value_type(item_type, false)));
                        out.push(completion);
                    }
                }
                // The columns of the tables the SQL text names so far.
                let named = sql_words(text, offset);
                let pipeline_name = ide::item_at(db, source, *index).and_then(|p| match p.value {
                    Item::Pipeline(p) => Some(p.name.name.clone()),
                    _ => None,
                });
                for table in types.nodes.keys().filter(|n| named.contains(n.as_str())) {
                    let Some(pipeline_name) = &pipeline_name else {
                        break;
                    };
                    let columns =
                        pipec_compiler::tables::node_columns(db, source, pipeline_name, table);
                    for (column, data_type) in columns.into_iter().flatten() {
                        let mut completion = item(&column, CompletionItemKind::FIELD, None);
                        completion.detail = Some(format!("{data_type}, column of `{table}`"));
                        completion.sort_text = Some(format!("0{column}"));
                        out.push(completion);
                    }
                }
            }
        }
        Place::Expression => {
            if let Some(call) = call_at(text, offset).filter(|c| c.at_argument_start)
                && let Some(params) = parameters(db, source, &call)
            {
                for (name, label) in params.params {
                    if !call.given.contains(&name) {
                        let mut completion =
                            item(&format!("{name}:"), CompletionItemKind::FIELD, None);
                        completion.detail = Some(label);
                        completion.insert_text = Some(format!("{name}: "));
                        completion.filter_text = Some(name.clone());
                        completion.sort_text = Some(format!("0{name}"));
                        out.push(completion);
                    }
                }
            }
            if let Some((_, types)) = &types {
                // A pipeline may have thousands of nodes: only those that
                // start with the prefix, and one more than is returned.
                let matching = types
                    .nodes
                    .range::<str, _>((
                        std::ops::Bound::Included(prefix),
                        std::ops::Bound::Unbounded,
                    ))
                    .take_while(|(name, _)| name.starts_with(prefix))
                    .take(MAX_ITEMS + 1);
                for (name, (item_type, many)) in matching {
                    let mut completion = item(name, CompletionItemKind::VARIABLE, None);
                    completion.detail = Some(value_type(item_type, *many));
                    out.push(completion);
                }
                keywords(&mut out, &["input", "secret"]);
            }
            for name in scope::visible_names(db, source, Kind::Const) {
                out.push(item(&name, CompletionItemKind::CONSTANT, Some("const")));
            }
            keywords(&mut out, &["true", "false", "null", "not"]);
        }
    }
    out
}

/// The largest char boundary at or before `offset`.
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The pipeline item whose body holds `offset`, if any.
fn enclosing_pipeline(db: &dyn Db, source: Source, text: &str, offset: usize) -> Option<usize> {
    let items = ide::items(db, source);
    let index = items
        .partition_point(|p| (p.value.span().start + p.offset) as usize <= offset)
        .checked_sub(1)?;
    let Item::Pipeline(head) = items[index].value else {
        return None;
    };
    // The body ends at the `}` that closes the pipeline's `{`: count from the
    // last member that starts before the cursor (or the head).
    let members = ide::pipeline_members(db, source, index);
    let last = members
        .partition_point(|m| (m.value.span().start + m.offset) as usize <= offset)
        .checked_sub(1);
    let (from, depth) = match last.and_then(|i| members.get(i)) {
        Some(m) => ((m.value.span().start + m.offset) as usize, 1),
        None => ((head.span.start + items[index].offset) as usize, 0),
    };
    let depth = depth + brace_depth(text.get(from..offset)?);
    (depth > 0).then_some(index)
}

/// The depth of `{`/`}` at the end of `text`, strings and comments skipped.
fn brace_depth(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '/' if !in_string && chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '{' if !in_string => depth += 1,
            '}' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// Decides what is being written at the cursor.
fn place(
    db: &dyn Db,
    source: Source,
    text: &str,
    offset: usize,
    line: &str,
    before_word: &str,
    pipeline: Option<usize>,
) -> Place {
    let quotes = line.matches('"').count() - line.matches("\\\"").count();
    if quotes % 2 == 1 {
        let in_interpolation =
            line.rfind('{') > line.rfind('}') && line.rfind('{') > line.rfind('"');
        if !in_interpolation {
            let call = call_at(text, offset);
            let reads_tables = call.is_some_and(|c| {
                matches!(c.callee.last().map(String::as_str), Some("sql" | "filter"))
            });
            return if reads_tables {
                Place::Sql
            } else {
                Place::Expression
            };
        }
    }
    let trimmed = before_word.trim_end();
    if let Some(path) = before_word.strip_suffix('.') {
        let start = after_last(path, |c| {
            !(c.is_ascii_alphanumeric() || c == '_' || c == '.')
        });
        let path: Vec<String> = path[start..].split('.').map(str::to_string).collect();
        if path.iter().all(|p| !p.is_empty()) {
            return Place::After(path);
        }
    }
    if trimmed.ends_with('|') && !trimmed.ends_with("||") {
        return Place::Pipe;
    }
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    if let [.., "node", _, "="] = words.as_slice() {
        return Place::Callee;
    }
    if trimmed.ends_with('=') && words.first() == Some(&"node") {
        return Place::Callee;
    }
    if trimmed.ends_with(':') || trimmed.ends_with('<') {
        let declares = matches!(words.first(), Some(&"input") | Some(&"plugin"))
            || (pipeline.is_none() && words.first() != Some(&"const"));
        if declares && call_at(text, offset).is_none_or(|_| words.first() == Some(&"plugin")) {
            return Place::Type;
        }
    }
    if trimmed.is_empty() {
        return match pipeline {
            None => Place::TopLevel,
            Some(index) => {
                if in_clause_block(db, source, text, offset, index) {
                    Place::Clause
                } else {
                    Place::Member
                }
            }
        };
    }
    if trimmed.ends_with('{') && pipeline.is_some() && words.first() == Some(&"node") {
        return Place::Clause;
    }
    Place::Expression
}

/// The words of the string around `offset` (from its opening quote to its
/// closing one, on this line or the lines of a `"""` string).
fn sql_words(text: &str, offset: usize) -> std::collections::HashSet<&str> {
    let start = text[..offset].rfind("(\"").map_or(0, |i| i + 2);
    let end = text[offset..]
        .find("\")")
        .map_or(text.len(), |i| offset + i);
    text[start..end]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The name of the member of pipeline `index` that starts last before `offset`.
fn member_at(db: &dyn Db, source: Source, index: usize, offset: usize) -> Option<&str> {
    let members = ide::pipeline_members(db, source, index);
    let last = members
        .partition_point(|m| (m.value.span().start + m.offset) as usize <= offset)
        .checked_sub(1)?;
    Some(members.get(last)?.value.name()?.name.as_str())
}

/// Whether `offset` is inside the `{ … }` of the node before it.
fn in_clause_block(db: &dyn Db, source: Source, text: &str, offset: usize, index: usize) -> bool {
    let members = ide::pipeline_members(db, source, index);
    let last = members
        .partition_point(|m| (m.value.span().start + m.offset) as usize <= offset)
        .checked_sub(1);
    let Some(member) = last.and_then(|i| members.get(i)) else {
        return false;
    };
    let from = (member.value.span().start + member.offset) as usize;
    text.get(from..offset).is_some_and(|t| brace_depth(t) > 0)
}

/// Members of `a.b.`: inputs after `input.`, secrets after `secret.`, fields
/// of a node's value, the callees and constants of an import alias.
fn after_dot(
    workspace: &Workspace,
    source: Source,
    index: usize,
    types: &PipelineTypes,
    path: &[String],
    out: &mut Vec<CompletionItem>,
) {
    let db = &workspace.db;
    let owner = Found { source, index };
    match path {
        [head] if head == "input" => {
            for (name, ty) in &types.inputs {
                let mut completion = item(name, CompletionItemKind::FIELD, None);
                completion.detail = Some(ty.to_string());
                let target = Target::Input {
                    owner,
                    name: name.clone(),
                };
                completion.documentation = describe(workspace, &target).map(markdown);
                out.push(completion);
            }
        }
        [head] if head == "secret" => {
            for name in &types.secrets {
                out.push(item(name, CompletionItemKind::FIELD, Some("string")));
            }
        }
        [head, rest @ ..] => {
            let base = if head == "input" {
                rest.first()
                    .and_then(|name| types.inputs.get(name))
                    .cloned()
                    .map(|t| (t, &rest[1..]))
            } else {
                types.nodes.get(head).map(|(t, _)| (t.clone(), rest))
            };
            match base {
                Some((mut ty, fields)) => {
                    for field in fields {
                        ty = ty.field(field).unwrap_or(Type::Any);
                    }
                    if let Type::Record(fields) = ty.non_null() {
                        for (name, field_type) in fields.iter() {
                            let mut completion = item(name, CompletionItemKind::FIELD, None);
                            completion.detail = Some(field_type.to_string());
                            out.push(completion);
                        }
                    }
                }
                None => alias_members(db, source, path, out),
            }
        }
        [] => {}
    }
}

/// The callees and constants of an import alias (`alias.`).
fn alias_members(db: &dyn Db, source: Source, path: &[String], out: &mut Vec<CompletionItem>) {
    let [alias] = path else { return };
    let Some(target) = imports(db, source)
        .iter()
        .find(|i| i.alias.as_deref() == Some(alias.as_str()))
        .and_then(|i| i.target.clone().ok())
    else {
        return;
    };
    let module = scope::module(db, target);
    for (name, &index) in &module.callees {
        let mut completion = item(name, CompletionItemKind::FUNCTION, None);
        if let Some(signature) = ide::signature(
            db,
            Found {
                source: target,
                index,
            },
        ) {
            completion.detail = Some(signature_line(signature));
        }
        out.push(completion);
    }
    for name in module.consts.keys() {
        out.push(item(name, CompletionItemKind::CONSTANT, Some("const")));
    }
}

/// Every callee visible from `source`, with its signature, and the import aliases.
fn callees(workspace: &Workspace, source: Source, out: &mut Vec<CompletionItem>) {
    let db = &workspace.db;
    for name in scope::visible_names(db, source, Kind::Callee) {
        let Some(found) = scope::lookup(db, source, Kind::Callee, &name) else {
            continue;
        };
        let is_pipeline = matches!(
            ide::item_at(db, found.source, found.index).map(|p| p.value),
            Some(Item::Pipeline(_))
        );
        let kind = if is_pipeline {
            CompletionItemKind::MODULE
        } else {
            CompletionItemKind::FUNCTION
        };
        let mut completion = item(&name, kind, None);
        completion.detail = ide::signature(db, found).map(signature_line);
        completion.documentation = ide::item_at(db, found.source, found.index)
            .and_then(|p| p.value.docs().text())
            .map(markdown);
        completion.insert_text = Some(format!("{name}($0)"));
        completion.insert_text_format = Some(InsertTextFormat::SNIPPET);
        out.push(completion);
    }
    for import in imports(db, source) {
        if let Some(alias) = &import.alias {
            out.push(item(alias, CompletionItemKind::MODULE, Some("import")));
        }
    }
}

fn keywords(out: &mut Vec<CompletionItem>, words: &[&str]) {
    for word in words {
        out.push(item(word, CompletionItemKind::KEYWORD, None));
    }
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<&str>) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: detail.map(str::to_string),
        ..CompletionItem::default()
    }
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::lsp_types::Url;

    /// The labels completed at the end of `before` in `before` + `after`.
    fn labels(before: &str, after: &str) -> Vec<String> {
        let mut workspace = Workspace::new();
        let text = format!("{before}{after}");
        let uri = Url::parse("file:///nowhere/complete.pipe").unwrap();
        let source = workspace.open(uri, text.clone(), 1);
        let (items, _) = complete(&workspace, source, &text, before.len());
        items.into_iter().map(|i| i.label).collect()
    }

    const HEAD: &str = "plugin notify(channel: string, text: string) -> { sent: bool }\n\npipeline p {\n  input mode: string = \"quick\"\n  node rows = read_csv(\"x.csv\")\n  node a = echo(1)\n";

    #[test]
    fn each_place_completes_what_may_be_written_there() {
        let top = labels("", "");
        assert!(
            top.contains(&"pipeline".into()) && top.contains(&"import".into()),
            "{top:?}"
        );
        let member = labels(&format!("{HEAD}  "), "\n}\n");
        assert_eq!(member, vec!["input", "secret", "node", "output"]);
        let clause = labels(&format!("{HEAD}  node b = echo(2) {{\n    "), "\n  }\n}\n");
        assert!(
            clause.contains(&"retry".into()) && clause.contains(&"after".into()),
            "{clause:?}"
        );
        let callee = labels(&format!("{HEAD}  node b = "), "\n}\n");
        assert!(
            callee.contains(&"notify".into()) && callee.contains(&"read_csv".into()),
            "{callee:?}"
        );
        let ty = labels(&format!("{HEAD}  input n: "), "\n}\n");
        assert!(
            ty.contains(&"int".into()) && ty.contains(&"table".into()),
            "{ty:?}"
        );
        let inputs = labels(&format!("{HEAD}  node b = echo(input."), ")\n}\n");
        assert_eq!(inputs, vec!["mode"]);
        let fields = labels(&format!("{HEAD}  node b = echo(a."), ")\n}\n");
        assert_eq!(fields, vec!["value"]);
        let pipes = labels(&format!("{HEAD}  node b = echo(input.mode | up"), ")\n}\n");
        assert_eq!(pipes, vec!["upper"]);
        let tables = labels(
            &format!("{HEAD}  node b = sql(\"select * from "),
            "\")\n}\n",
        );
        assert_eq!(tables, vec!["rows"]);
        let columns = labels(
            &format!("{HEAD}  node s = schema_rows()\n  node b = sql(\"select "),
            " from s\")\n}\nschema Sale { region: string, amount: float }\nplugin schema_rows() -> table<Sale>\n",
        );
        assert!(
            columns.contains(&"region".into()) && columns.contains(&"amount".into()),
            "{columns:?}"
        );
        let params = labels(
            &format!("{HEAD}  node b = notify(channel: \"x\", "),
            ")\n}\n",
        );
        assert!(
            params.contains(&"text:".into()) && !params.contains(&"channel:".into()),
            "{params:?}"
        );
        let names = labels(&format!("{HEAD}  node b = echo(r"), ")\n}\n");
        assert_eq!(names, vec!["rows"]);
    }
}
