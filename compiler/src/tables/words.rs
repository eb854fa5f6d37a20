//! How the table checks' messages name things: types as the language and
//! the engine write them, columns there are (and near names), tables,
//! quoted names, plurals.

use super::*;

/// Whether values of two column types can be compared as join keys without
/// converting text: the same kind (numbers, dates and times, text, bools), or
/// a column of nulls only.
pub(super) fn comparable(a: &DataType, b: &DataType) -> bool {
    fn kind(t: &DataType) -> u8 {
        match t {
            t if t.is_numeric() => 1,
            DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => 2,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => 3,
            DataType::Boolean => 4,
            DataType::Null => 0,
            _ => 5,
        }
    }
    let (a, b) = (kind(a), kind(b));
    a == b || a == 0 || b == 0 || a == 5 || b == 5
}

/// A column type as messages name it: the declared-schema word, or Arrow's name.
pub(super) fn type_name(data_type: &DataType) -> String {
    type_word(data_type).map_or_else(|| data_type.to_string(), str::to_string)
}

/// A type the engine names in a message (`Float64`) as a schema says it
/// (`float`).
pub(super) fn engine_type_name(engine_name: &str) -> String {
    engine_name
        .parse::<DataType>()
        .map_or_else(|_| engine_name.to_string(), |t| type_name(&t))
}

/// `word` after "a" or "an", as its first letter asks.
pub(super) fn with_article(word: &str) -> String {
    let an = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if an { "an" } else { "a" })
}

/// A SQL identifier, quoted so that any column or node name is taken as written.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) fn describe_tables(names: &[&str]) -> String {
    match names {
        [one] => format!("table `{one}`"),
        many => format!(
            "tables {}",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// What a query could have named instead of an unknown column: a help line
/// listing each table's columns (and the names the query itself made, such
/// as a CTE's columns or a select's aliases, from the engine's `valid`
/// list), and every such name as a candidate for "did you mean".
pub(super) fn known_columns(
    tables: &[(&str, SchemaRef)],
    valid: &[String],
) -> (String, Vec<String>) {
    let mut candidates: Vec<String> = tables
        .iter()
        .flat_map(|(_, schema)| schema.fields().iter().map(|f| f.name().clone()))
        .collect();
    // The engine's names are qualified (`a.id`) when a query reads several
    // tables; expressions (`sum(a.score)`) are not names anyone wrote.
    let made: Vec<String> = valid
        .iter()
        .filter(|c| !c.contains('('))
        .map(|c| c.rsplit_once('.').map_or(c.as_str(), |(_, name)| name))
        .filter(|name| !candidates.iter().any(|c| c == name))
        .map(str::to_string)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let list = |schema: &SchemaRef| {
        schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut help = match tables {
        [(one, schema)] => format!("the columns of `{one}` are: {}", list(schema)),
        _ => tables
            .iter()
            .enumerate()
            .map(|(i, (name, schema))| match i {
                0 => format!("the columns of `{name}` are: {}", list(schema)),
                _ => format!("of `{name}`: {}", list(schema)),
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    if !made.is_empty() {
        help.push_str(&format!("; the query also names: {}", made.join(", ")));
    }
    candidates.extend(made);
    candidates.retain(|name| !is_joined_header(name));
    candidates.sort_unstable();
    candidates.dedup();
    (help, candidates)
}

/// `n thing` or `n things`.
pub(super) fn plural(n: usize, thing: &str) -> String {
    match n {
        1 => format!("1 {thing}"),
        n => format!("{n} {thing}s"),
    }
}
