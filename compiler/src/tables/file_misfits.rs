//! A reader's file against what the pipeline says of it: the separator
//! (W0407), the inferred types against the file's later rows (E0412), a
//! declared schema against a CSV file's header and rows (E0406) and against
//! a JSON or Parquet file's names and types.

use super::*;

impl<'a> PipelineTables<'a> {
    /// W0407 for a CSV file with a header that reads as one column whose
    /// name holds another separator (`id;region;amount` read at commas).
    /// The fix passes that separator as the reader's `delimiter`.
    pub(super) fn check_csv_delimiter(
        &mut self,
        args: &Args<'a>,
        value: &Expr,
        path: &Path,
        kind: &FileKind,
        inferred: &Schema,
    ) {
        let FileKind::Csv {
            delimiter,
            header: true,
            ..
        } = kind
        else {
            return;
        };
        let [field] = inferred.fields().iter().collect::<Vec<_>>()[..] else {
            return;
        };
        let name = field.name();
        let Some(other) = separator_joining(name, char::from(*delimiter)) else {
            return;
        };
        let written = shown_separator(other);
        let current = shown_separator(char::from(*delimiter));
        let shown = self.shown_path(value, path);
        let name = name.replace('\t', "\\t");
        let diagnostic = Diagnostic::new(
            codes::CSV_OTHER_DELIMITER,
            format!("`{shown}` reads as one column, `{name}`: its fields are separated by `{written}`"),
            self.file,
            value.span,
        )
        .with_label("read as one column")
        .with_help(format!(
            "`read_csv` splits lines at `{current}`; pass the file's separator: `delimiter: \"{written}\"`"
        ));
        let diagnostic = match args.value("delimiter") {
            Some(given) => diagnostic.with_fix(
                format!("read at `{written}`"),
                given.span,
                format!("\"{written}\""),
            ),
            None => diagnostic.with_fix(
                format!("read at `{written}`"),
                Span::new(args.call_end as usize - 1, args.call_end as usize - 1),
                format!(", delimiter: \"{written}\""),
            ),
        };
        self.diagnostics.push(diagnostic);
    }

    /// E0412 for a CSV file read without a schema whose first rows hold a
    /// value that its column's inferred type cannot take (`2026-13-01` in
    /// a column of dates, a number too long for an int): inference goes by
    /// each value's look, and the run would fail on that row. The fix
    /// declares the inferred schema with that column as text.
    pub(super) fn check_inferred_against_file(
        &mut self,
        args: &Args<'a>,
        value: &Expr,
        path: &Path,
        kind: &FileKind,
        inferred: &Schema,
    ) {
        let Some(schema::Misfit::Value {
            line,
            column,
            value: written,
        }) = schema::csv_misfit(path, kind, inferred)
        else {
            return;
        };
        let Some(field) = inferred.fields().get(column) else {
            return;
        };
        let name = field.name();
        let word = type_word(field.data_type()).unwrap_or("its type");
        let shown = self.shown_path(value, path);
        let a_word = with_article(word);
        let diagnostic = Diagnostic::new(
            codes::INFERRED_TYPE_MISFIT,
            format!(
                "`{shown}` line {line}: '{written}' is not {a_word}, and column `{name}` reads as {word}s"
            ),
            self.file,
            value.span,
        )
        .with_label(format!("the run fails at line {line}"))
        .with_help(format!(
            "the file's first rows look like {word}s in `{name}`, so it is read as {a_word} column; declare `{name} string` in a schema to read it as text, or mend line {line}"
        ));
        // The inferred schema, that column as text, as the reader's
        // `schema:` (when every column can be written so).
        let entries: Option<Vec<String>> = inferred
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let plain = f
                    .name()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
                let word = if i == column {
                    Some("string")
                } else {
                    type_word(f.data_type())
                };
                Some(format!("{} {}", plain.then_some(f.name())?, word?))
            })
            .collect();
        // Only called for a reader without a schema.
        let diagnostic = match entries {
            Some(entries) => diagnostic.with_fix(
                format!("declare the schema, `{name}` as text"),
                Span::new(args.call_end as usize - 1, args.call_end as usize - 1),
                format!(", schema: \"{}\"", entries.join(", ")),
            ),
            _ => diagnostic,
        };
        self.diagnostics.push(diagnostic);
    }

    /// A schema declared for a CSV file that exists now must fit its first
    /// rows (those inference reads): a value of another type or a row of
    /// another width would fail the run.
    pub(super) fn check_declared_against_file(
        &mut self,
        args: &Args<'a>,
        literal: &StringLit,
        text: &str,
        schema: &Schema,
    ) {
        let Some(path) = args.value("path").and_then(|p| self.path_arg(p)) else {
            return;
        };
        let Some(kind) = self.csv_kind(args) else {
            return;
        };
        let Some(misfit) = schema::csv_misfit(&path, &kind, schema) else {
            return;
        };
        let shown = path.strip_prefix(self.base).unwrap_or(&path).display();
        let entries = schema_entries(text);
        let inside = self.inside_quotes(literal.span, text);
        let diagnostic = match misfit {
            schema::Misfit::Value {
                line,
                column,
                value,
            } => {
                let Some((offset, entry)) = entries.get(column) else {
                    return;
                };
                let span = within(inside, literal.span, *offset, entry.len());
                let inferred = file_schema(&path, kind)
                    .and_then(|s| s.fields().get(column).map(|f| f.data_type().clone()))
                    .and_then(|t| type_word(&t));
                let marker = [
                    "NA", "N/A", "n/a", "null", "NULL", "None", "-", "?", "nan", "NaN",
                ];
                let help = match inferred {
                    _ if marker.contains(&value.as_str()) => format!(
                        "if `{value}` stands for a missing value, add `nulls: \"{value}\"` to the reader"
                    ),
                    Some(word) => format!(
                        "the file's first rows read as `{word}` in this column; declare it so, or mend line {line}"
                    ),
                    None => {
                        format!("declare the column's type as the file has it, or mend line {line}")
                    }
                };
                Diagnostic::new(
                    codes::SCHEMA_FILE_MISFIT,
                    format!("`{shown}` line {line}: '{value}' does not fit the declared `{entry}`"),
                    self.file,
                    span,
                )
                .with_label("declared here")
                .with_help(help)
            }
            schema::Misfit::Fields { line, found, more } => {
                let more = if more { "more than " } else { "" };
                // A header of other columns: the ones not declared, with
                // the types the file's rows read as.
                let header = match &kind {
                    FileKind::Csv { header: true, .. } if line == 1 => {
                        file_schema(&path, kind.clone())
                    }
                    _ => None,
                };
                let help = header.map_or_else(
                    || "declare one column per field of the file, in the file's order".to_string(),
                    |found| header_help(&found, schema),
                );
                Diagnostic::new(
                    codes::SCHEMA_FILE_MISFIT,
                    format!(
                        "`{shown}` line {line} has {more}{found} fields; the declared schema has {} columns",
                        entries.len()
                    ),
                    self.file,
                    literal.span,
                )
                .with_label("declared here")
                .with_help(help)
            }
        };
        self.diagnostics.push(diagnostic);
    }

    /// A schema declared for a Parquet or JSON file that exists now names
    /// columns the file has: these readers match columns by name, so a
    /// declared name the file lacks (`categroy`) would be null in every row.
    pub(super) fn check_declared_names_against_file(
        &mut self,
        operator: &str,
        args: &Args<'a>,
        literal: &StringLit,
        text: &str,
        schema: &Schema,
    ) {
        let Some(path) = args.value("path").and_then(|p| self.path_arg(p)) else {
            return;
        };
        let json = operator == "read_json";
        let kind = if json {
            FileKind::Json
        } else {
            FileKind::Parquet
        };
        let Some(found) = file_schema(&path, kind) else {
            return;
        };
        let shown = path
            .strip_prefix(self.base)
            .unwrap_or(&path)
            .display()
            .to_string();
        let names: Vec<&str> = found.fields().iter().map(|f| f.name().as_str()).collect();
        let entries = schema_entries(text);
        let inside = self.inside_quotes(literal.span, text);
        if json
            && let Some(misfit) = schema::json_misfit(&path, schema)
            && let Some(column) = schema.index_of(&misfit.field).ok()
            && let Some((offset, entry)) = entries.get(column)
        {
            let span = within(inside, literal.span, *offset, entry.len());
            let declared = schema.field(column).data_type();
            self.diagnostics.push(json_misfit(
                self.file, &shown, &misfit, &found, declared, entry, span,
            ));
        }
        if !json {
            for found in schema::parquet_misfits(&path, &found, schema) {
                let Some((offset, entry)) = entries.get(found.column) else {
                    continue;
                };
                let span = within(inside, literal.span, *offset, entry.len());
                let name = schema.field(found.column).name();
                self.diagnostics.push(declared_type_misfit(
                    self.file, &shown, name, &found, entry, span,
                ));
            }
        }
        for (column, (field, (offset, entry))) in schema.fields().iter().zip(&entries).enumerate() {
            let name = field.name();
            let in_file = found.field_with_name(name).ok();
            // JSON numbers declared as dates or times are decoded as days
            // (or microseconds) from 1970-01-01.
            if json
                && let Some(in_file) = in_file
                && schema::converts_without_meaning(in_file.data_type(), field.data_type())
            {
                let span = within(inside, literal.span, *offset, entry.len());
                let found = schema::ColumnMisfit {
                    column,
                    file_type: in_file.data_type().clone(),
                    misfit: schema::TypeMisfit::Meaning { example: None },
                };
                self.diagnostics.push(declared_type_misfit(
                    self.file, &shown, name, &found, entry, span,
                ));
            }
            // JSON numbers with fractions decoded as an int column are cut
            // (2.5 becomes 2) without a word.
            if json
                && field.data_type().is_integer()
                && let Some(in_file) = in_file
                && in_file.data_type().is_floating()
            {
                let span = within(inside, literal.span, *offset, entry.len());
                self.diagnostics.push(
                    Diagnostic::new(
                        codes::SCHEMA_FILE_MISFIT,
                        format!(
                            "`{shown}` has numbers with fractions in `{name}`, declared `{entry}`"
                        ),
                        self.file,
                        span,
                    )
                    .with_label("declared here: 2.5 would be read as 2")
                    .with_help(format!("declare `{name} float` to keep the fractions")),
                );
            }
            if in_file.is_some() {
                continue;
            }
            // The name as written starts the entry (`categroy string`).
            let exact = inside.filter(|_| entry.starts_with(name.as_str()));
            let span = within(exact, literal.span, *offset, name.len());
            let columns = format!("the columns of `{shown}` are: {}", names.join(", "));
            let otherwise = format!("this reader matches columns by name; {columns}");
            let diagnostic = Diagnostic::new(
                codes::SCHEMA_FILE_MISFIT,
                format!("`{shown}` has no column `{name}`"),
                self.file,
                span,
            )
            .with_label("declared here: null in every row");
            let diagnostic = if exact.is_some() {
                diagnostic.with_suggestion(
                    name,
                    names.iter().copied(),
                    span,
                    otherwise,
                    Some(&columns),
                )
            } else {
                diagnostic.with_help(otherwise)
            };
            self.diagnostics.push(diagnostic);
        }
    }

    /// The span between the quotes of the string literal at `span`, when it
    /// is written as `"text"` byte for byte (no escapes, no interpolation),
    /// so that positions in `text` are positions in the file.
    pub(super) fn inside_quotes(&self, span: Span, text: &str) -> Option<Span> {
        let written = self.text.get(span.start as usize..span.end as usize)?;
        (written.strip_prefix('"')?.strip_suffix('"')? == text).then(|| Span {
            start: span.start + 1,
            end: span.end - 1,
        })
    }
}

/// The `name type` entries of a declared schema's text, trimmed, with the
/// byte offset of each in the text.
pub(super) fn schema_entries(text: &str) -> Vec<(usize, &str)> {
    let mut entries = Vec::new();
    let mut offset = 0;
    for piece in text.split(',') {
        let trimmed = piece.trim();
        if !trimmed.is_empty() {
            let lead = piece.len() - piece.trim_start().len();
            entries.push((offset + lead, trimmed));
        }
        offset += piece.len() + 1;
    }
    entries
}

/// The help for a declared schema of another width than a CSV file's
/// header (`found`): the header's columns, those not declared (with the
/// types the rows read as) and the declared ones not in it.
pub(super) fn header_help(found: &Schema, schema: &Schema) -> String {
    let missing: Vec<String> = found
        .fields()
        .iter()
        .filter(|f| schema.field_with_name(f.name()).is_err())
        .map(|f| match type_word(f.data_type()) {
            Some(word) => format!("`{} {word}`", f.name()),
            None => format!("`{}`", f.name()),
        })
        .collect();
    let names: Vec<&str> = found.fields().iter().map(|f| f.name().as_str()).collect();
    let extra: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| found.field_with_name(f.name()).is_err())
        .map(|f| format!("`{}`", f.name()))
        .collect();
    let mut help = format!(
        "the file's header names {}; declare one column per field, in the file's order",
        names.join(", ")
    );
    if !missing.is_empty() {
        help.push_str(&format!(": {} too", missing.join(", ")));
    }
    if !extra.is_empty() {
        help.push_str(&format!(
            "{} {} not in the header",
            if missing.is_empty() { ":" } else { "; and" },
            extra.join(", ") + if extra.len() == 1 { " is" } else { " are" }
        ));
    }
    help
}

/// The `len` bytes at `offset` of a declared schema's text, when the text
/// is written plainly between quotes (`inside`); else the whole literal.
pub(super) fn within(inside: Option<Span>, literal: Span, offset: usize, len: usize) -> Span {
    inside.map_or(literal, |inside| {
        let start = inside.start as usize + offset;
        Span::new(start, start + len)
    })
}

/// E0406 for a JSON record whose field does not decode as declared: the
/// line (or record of an array file), the field and the decoder's words,
/// with what the file's records read as there (`found`, inferred).
pub(super) fn json_misfit(
    file: &FileName,
    shown: &str,
    misfit: &schema::JsonMisfit,
    found: &Schema,
    declared: &DataType,
    entry: &str,
    span: Span,
) -> Diagnostic {
    let place = if misfit.in_array {
        format!("record {}", misfit.line)
    } else {
        format!("line {}", misfit.line)
    };
    let inferred = found
        .field_with_name(&misfit.field)
        .ok()
        .map(|f| f.data_type());
    let help = match inferred.and_then(type_word) {
        // Most records agree with the declaration: this one is odd.
        Some(word) if inferred == Some(declared) => format!(
            "the file's other records read as `{word}` in this field, as declared: mend {place}"
        ),
        Some(word) => format!(
            "the file's first records read as `{word}` in this field; declare it so, or mend {place}"
        ),
        None => format!("declare the field's type as the file has it, or mend {place}"),
    };
    Diagnostic::new(
        codes::SCHEMA_FILE_MISFIT,
        format!(
            "`{shown}` {place}, field `{}`: {} (declared `{entry}`)",
            misfit.field, misfit.problem
        ),
        file,
        span,
    )
    .with_label("declared here")
    .with_help(help)
}

/// E0406 for a declared column that the file (Parquet, JSON) holds as
/// another type, which the run cannot convert, or converts without meaning
/// or with loss, or fails on (`found.misfit`).
pub(super) fn declared_type_misfit(
    file: &FileName,
    shown: &str,
    name: &str,
    found: &schema::ColumnMisfit,
    entry: &str,
    span: Span,
) -> Diagnostic {
    let held = schema::kind_word(&found.file_type);
    let declarable = schema::column_data_type(&held).is_some();
    let declare = if declarable {
        format!("declare `{name} {held}` as the file has it")
    } else {
        format!(
            "a declared schema names only int, float, string, bool, date and timestamp columns: leave `{name}` out of it"
        )
    };
    let (message, label, help) = match &found.misfit {
        schema::TypeMisfit::NoConversion => (
            format!(
                "`{shown}` holds `{name}` as {held}, which cannot be read as declared `{entry}`"
            ),
            "declared here".to_string(),
            if declarable {
                format!("{declare}, and convert it in `sql` where need be")
            } else {
                declare
            },
        ),
        schema::TypeMisfit::Meaning { example } => (
            format!("`{shown}` holds `{name}` as {held}, declared `{entry}`"),
            match example {
                Some((value, read_as)) => {
                    format!("declared here: {value} would be read as {read_as}")
                }
                None => "declared here".to_string(),
            },
            format!(
                "numbers and dates convert into each other as days (or microseconds) from 1970-01-01; {declare}"
            ),
        ),
        schema::TypeMisfit::Fraction {
            row,
            value,
            read_as,
        } => (
            format!("`{shown}` has numbers with fractions in `{name}`, declared `{entry}`"),
            format!("declared here: {value} (row {row}) would be read as {read_as}"),
            format!("declare `{name} float` to keep the fractions"),
        ),
        schema::TypeMisfit::Value { row, value } => (
            format!(
                "`{shown}` row {row}: '{value}' in `{name}` does not fit the declared `{entry}`"
            ),
            "declared here".to_string(),
            format!("the file holds `{name}` as {held}; {declare}, or mend row {row}"),
        ),
    };
    Diagnostic::new(codes::SCHEMA_FILE_MISFIT, message, file, span)
        .with_label(label)
        .with_help(help)
}

/// A column named after a whole header of fields separated otherwise than
/// the reader splits (`id;region;amount`, W0407): never the name meant.
pub(super) fn is_joined_header(name: &str) -> bool {
    separator_joining(name, '\0').is_some()
}

/// The separator other than `read_at` that joins two or more fields in the
/// column name `name` (a header that was not split), if any.
pub(super) fn separator_joining(name: &str, read_at: char) -> Option<char> {
    [',', ';', '\t', '|']
        .into_iter()
        .find(|&c| c != read_at && name.split(c).filter(|p| !p.trim().is_empty()).count() >= 2)
}

/// A separator as a `.pipe` string writes it (a tab as `\t`).
pub(super) fn shown_separator(separator: char) -> String {
    match separator {
        '\t' => "\\t".to_string(),
        other => other.to_string(),
    }
}
