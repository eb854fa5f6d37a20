//! Readers' schemas at check time: `read_csv`, `read_parquet`, `read_json`
//! from a declared schema or the file itself, their paths as the run
//! resolves them, and the reader checks that need no file contents: a
//! file of another format (E0411), a near name (W0404), a file read first
//! that is not there (W0409).

use super::*;

impl<'a> PipelineTables<'a> {
    pub(super) fn read_schema(&mut self, operator: &str, args: &Args<'a>) -> Known {
        if let Some(literal) = args.string("schema") {
            let text = literal.as_plain()?;
            return match declared_schema(&text) {
                Ok(schema) => {
                    if operator == "read_csv" {
                        self.check_declared_against_file(args, literal, &text, &schema);
                    } else {
                        self.check_declared_names_against_file(
                            operator, args, literal, &text, &schema,
                        );
                    }
                    Some(Arc::new(schema))
                }
                Err(message) => {
                    self.diagnostics.push(
                        Diagnostic::new(codes::BAD_TABLE_SCHEMA, message, self.file, literal.span)
                            .with_label("this schema cannot be read")
                            .with_help(
                                "write `name type` pairs separated by commas, e.g. \"id int, amount float, day date\"",
                            ),
                    );
                    None
                }
            };
        }
        let value = args.value("path")?;
        let json = operator == "read_json";
        let Some(path) = self.path_arg(value) else {
            return self.written_schema(value, json);
        };
        if self.depth == 0 && self.file_of_another_format(operator, args, value, &path) {
            return None;
        }
        let kind = match operator {
            "read_csv" => self.csv_kind(args)?,
            "read_parquet" => FileKind::Parquet,
            _ => FileKind::Json,
        };
        let known = file_schema(&path, kind.clone());
        if let Some(inferred) = &known {
            if self.depth == 0 && matches!(kind, FileKind::Csv { .. }) && path.is_file() {
                self.check_csv_delimiter(args, value, &path, &kind, inferred);
                self.check_inferred_against_file(args, value, &path, &kind, inferred);
            }
            return known;
        }
        if let Some(written) = self.written_schema(value, json) {
            return Some(written);
        }
        if self.depth == 0 {
            self.check_near_file(value, &path);
        }
        None
    }

    /// E0411 for a reader given a file that exists and holds another
    /// format (`read_parquet("orders.csv")`), which the run could not read,
    /// or would read as garbage; whether it was reported. A CSV reader is
    /// not told about bytes that are not text: they may be compressed.
    pub(super) fn file_of_another_format(
        &mut self,
        operator: &str,
        args: &Args<'a>,
        value: &Expr,
        path: &Path,
    ) -> bool {
        let Some(format) = sniff_format(path) else {
            return false;
        };
        let expected = match operator {
            "read_parquet" => FileFormat::Parquet,
            "read_json" => FileFormat::Json,
            _ => FileFormat::Text,
        };
        let fits = match (expected, format) {
            (expected, found) if expected == found => true,
            // A CSV file may begin with `{` or `[`, or be compressed.
            (FileFormat::Text, FileFormat::Json | FileFormat::Binary) => true,
            _ => false,
        };
        if fits {
            return false;
        }
        let shown = self.shown_path(value, path);
        let what = match operator {
            "read_parquet" => "a Parquet file",
            "read_json" => "JSON records",
            _ => "CSV text",
        };
        let diagnostic = Diagnostic::new(
            codes::FILE_OF_ANOTHER_FORMAT,
            format!("`{shown}` is not {what}: {}", format.described()),
            self.file,
            value.span,
        )
        .with_label(format!("`{operator}` cannot read this file"));
        // The other reader takes the same arguments when only the path and
        // a schema are given.
        let plain = args
            .by_param
            .iter()
            .all(|(param, _)| matches!(*param, "path" | "schema"));
        // A path given as an input: the input may be what is wrong.
        let input = match &value.kind {
            ExprKind::Ref(parts) => parts.get(1).map(|name| name.name.as_str()),
            _ => None,
        };
        let diagnostic = match (format.reader(), input) {
            (Some(reader), Some(input)) => diagnostic.with_help(format!(
                "give `input.{input}` {what}, or read the file with `{reader}`"
            )),
            (Some(reader), None) if plain => diagnostic
                .with_help(format!("read it with `{reader}`"))
                .with_fix(format!("replace with `{reader}`"), args.callee, reader),
            (Some(reader), None) => diagnostic.with_help(format!("read it with `{reader}`")),
            (None, _) => diagnostic
                .with_help("the readers read CSV, Parquet and JSON files; convert this one first"),
        };
        self.diagnostics.push(diagnostic);
        true
    }

    /// The schema of the file at the path `value` when it is not there now
    /// and a writer node of the pipeline writes it (the same path, written
    /// alike): the written table's columns, as the reader will read them
    /// back (a JSON file has no dates: they come back as text).
    pub(super) fn written_schema(&mut self, value: &Expr, json: bool) -> Known {
        let writer = self.writer_of(value)?;
        // `write_json` takes its table as `value`.
        let args = Args::of(writer.0, writer.1);
        let (_, schema) = self
            .table_arg(&args, "table")
            .or_else(|| self.table_arg(&args, "value"))?;
        if !json {
            return Some(schema);
        }
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .map(|field| match field.data_type() {
                t if t.is_temporal() => field.as_ref().clone().with_data_type(DataType::Utf8),
                _ => field.as_ref().clone(),
            })
            .collect();
        Some(Arc::new(Schema::new(fields)))
    }

    /// A path argument's text when it is known now ([`Self::path_text`]),
    /// else as it is written in the file (two equal interpolations,
    /// `"{input.out}/t.csv"`, stand for one path).
    pub(super) fn path_or_written(&self, value: &Expr) -> Option<String> {
        // `./out/t.csv` and `out/t.csv` are one path.
        let plain = |text: String| {
            Path::new(&text)
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect::<PathBuf>()
                .to_string_lossy()
                .into_owned()
        };
        self.path_text(value).map(plain).or_else(|| {
            self.text
                .get(value.span.start as usize..value.span.end as usize)
                .map(str::to_string)
        })
    }

    /// W0404 for a reader's written path (a string, plain or made of text and
    /// known inputs) that names no file when a file of a near name is beside
    /// it (`orders.cvs`, next to `orders.csv`), and no writer of the pipeline
    /// writes that path. A file that is simply not there yet (made by an
    /// earlier step, or fetched) is not reported: only the near name says
    /// it is a slip.
    pub(super) fn check_near_file(&mut self, value: &Expr, path: &Path) {
        let ExprKind::String(literal) = &value.kind else {
            return;
        };
        let Some(resolved) = self.path_text(value) else {
            return;
        };
        // Messages and fixes speak of the text as written.
        let written = literal.as_plain().unwrap_or(resolved);
        if path.exists() || schema::is_glob(path) || self.writer_of(value).is_some() {
            return;
        }
        let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            self.check_missing_first_read(value, &written);
            return;
        };
        let siblings: Vec<String> = entries
            .filter_map(|entry| {
                let entry = entry.ok()?;
                entry.file_type().ok()?.is_file().then_some(())?;
                entry.file_name().into_string().ok()
            })
            .collect();
        let Some(near) = closest(name, siblings.iter().map(String::as_str))
            .first()
            .copied()
        else {
            self.check_missing_first_read(value, &written);
            return;
        };
        let corrected = format!("{}{near}", &written[..written.len() - name.len()]);
        // The text between the quotes, when the literal is written plainly.
        let inner = Span {
            start: value.span.start + 1,
            end: value.span.end.saturating_sub(1),
        };
        let plain = self.text.get(inner.start as usize..inner.end as usize) == Some(&written);
        // Put together from inputs: the file name, when the last text ends
        // with it as written.
        let name_alone = match literal.parts.last() {
            Some(StringPart::Text { value: text, span }) if !plain && text.ends_with(name) => {
                let at = Span {
                    start: span.end.saturating_sub(name.len() as u32),
                    end: span.end,
                };
                (self.text.get(at.start as usize..at.end as usize) == Some(name)).then_some(at)
            }
            _ => None,
        };
        let mut diagnostic = Diagnostic::new(
            codes::NEAR_FILE,
            format!("no file `{written}`, but there is `{corrected}`"),
            self.file,
            value.span,
        )
        .with_label("no such file")
        .with_help(format!(
            "did you mean `{corrected}`? (a relative path is read from the directory of the file that names it)"
        ));
        if plain {
            diagnostic =
                diagnostic.with_fix(format!("replace with `{corrected}`"), inner, corrected);
        } else if let Some(at) = name_alone {
            diagnostic =
                diagnostic.with_fix(format!("replace with `{near}`"), at, near.to_string());
        }
        self.diagnostics.push(diagnostic);
    }

    /// W0409 for a reader's path that names no file when the reading node
    /// depends on nothing: it reads before any node of the pipeline runs, so
    /// nothing of the run can make the file first, and the run would fail.
    pub(super) fn check_missing_first_read(&mut self, value: &Expr, written: &str) {
        let first = self.nodes.values().any(|(decl, info)| {
            info.deps.is_empty()
                && decl
                    .call
                    .args
                    .iter()
                    .any(|arg| arg.value.span == value.span)
        });
        if !first {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                codes::MISSING_FILE,
                format!("no file `{written}`"),
                self.file,
                value.span,
            )
            .with_label("no such file, and this node runs first")
            .with_help(
                "a relative path is read from the directory of the file that names it; \
                 if a step makes the file, add `after STEP` to this node",
            ),
        );
    }

    /// How `read_csv` reads its file: delimiter, header and null text, when
    /// written as plain values.
    pub(super) fn csv_kind(&self, args: &Args<'a>) -> Option<FileKind> {
        let delimiter = match args.value("delimiter") {
            None => b',',
            Some(value) => csv_delimiter(&plain_string(value)?)?,
        };
        let header = !matches!(
            args.value("header").map(|e| &e.kind),
            Some(ExprKind::Literal(Literal::Bool(false)))
        );
        let nulls = match args.value("nulls") {
            None => None,
            Some(value) => Some(plain_string(value)?),
        };
        Some(FileKind::Csv {
            delimiter,
            header,
            nulls,
        })
    }

    /// How a message names the file of the path argument `value`: as
    /// written (or as its input gives it), else the resolved `path`.
    pub(super) fn shown_path(&self, value: &Expr, path: &Path) -> String {
        self.path_text(value)
            .unwrap_or_else(|| path.display().to_string())
    }

    /// A path argument's value when it is known now ([`Self::path_text`]),
    /// relative to the working directory, as the run reads it.
    pub(super) fn path_arg(&self, value: &Expr) -> Option<PathBuf> {
        Some(self.base.join(self.path_text(value)?))
    }

    /// A path argument's text when it is known now: a plain string, an
    /// input whose path is known (its plain string default, or the value
    /// the run or call gives it), or a string made of text and such inputs
    /// (`"{input.data}/orders.csv"`), put together as the run renders it.
    pub(super) fn path_text(&self, value: &Expr) -> Option<String> {
        match &value.kind {
            ExprKind::String(literal) => {
                let mut text = String::new();
                for part in &literal.parts {
                    match part {
                        StringPart::Text { value, .. } => text.push_str(value),
                        StringPart::Interpolation(inner) => match &inner.kind {
                            ExprKind::Ref(_) => text.push_str(&self.path_text(inner)?),
                            _ => return None,
                        },
                    }
                }
                // Written text first: it resolves against the file's directory.
                match literal.parts.first() {
                    Some(StringPart::Text { .. }) => Some(crate::paths::resolve_written(
                        crate::paths::file_dir(self.file),
                        &text,
                    )),
                    _ => Some(text),
                }
            }
            ExprKind::Ref(path) => match path.as_slice() {
                [namespace, input] if namespace.name == "input" => {
                    self.input_defaults.get(input.name.as_str()).cloned()
                }
                _ => None,
            },
            _ => None,
        }
    }
}
