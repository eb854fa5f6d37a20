//! The declarations of the built-in pipes (`value | name(args)`).

/// A type in a pipe signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// Any value.
    Any,
    /// `string`
    String,
    /// `string` or `path`.
    Text,
    /// `path`
    Path,
    /// `int`
    Int,
    /// `bool`
    Bool,
    /// `json`
    Json,
    /// A list of anything.
    List,
    /// The piped value's own type.
    Input,
    /// The piped value's type without `?`.
    InputNonNull,
    /// The element type of the piped list.
    Element,
    /// A list of the piped list's elements' elements (`flatten`).
    Flattened,
    /// The piped list without nulls (`compact`).
    Compacted,
    /// `string?`
    OptionalString,
}

/// One pipe's declaration.
#[derive(Debug, Clone, Copy)]
pub struct PipeDecl {
    /// The name after `|`.
    pub name: &'static str,
    /// What the pipe accepts.
    pub input: Sig,
    /// Its parameters: name, type, and whether it must be given.
    pub params: &'static [(&'static str, Sig, bool)],
    /// A last parameter that may repeat (`in(a, b, c)`): name, type, most repeats.
    pub variadic: Option<(&'static str, Sig, usize)>,
    /// What it returns.
    pub output: Sig,
    /// One line for hover and docs.
    pub doc: &'static str,
}

const fn pipe(
    name: &'static str,
    input: Sig,
    params: &'static [(&'static str, Sig, bool)],
    output: Sig,
    doc: &'static str,
) -> PipeDecl {
    PipeDecl {
        name,
        input,
        params,
        variadic: None,
        output,
        doc,
    }
}

/// Every built-in pipe, with the semantics of the dagabaaz pipes they come
/// from (defaults included: `truncate` keeps 100 characters, `pad` zero-pads
/// a number to 2 digits, `join` separates with `, `).
pub const PIPES: &[PipeDecl] = &[
    pipe(
        "upper",
        Sig::Text,
        &[],
        Sig::String,
        "Upper-cases the text.",
    ),
    pipe(
        "lower",
        Sig::Text,
        &[],
        Sig::String,
        "Lower-cases the text.",
    ),
    pipe(
        "title",
        Sig::Text,
        &[],
        Sig::String,
        "Capitalises each word.",
    ),
    pipe(
        "trim",
        Sig::Text,
        &[],
        Sig::String,
        "Removes white space at both ends.",
    ),
    pipe(
        "strip",
        Sig::Text,
        &[("chars", Sig::String, false)],
        Sig::String,
        "Removes the given characters (default: white space) at both ends.",
    ),
    pipe(
        "lstrip",
        Sig::Text,
        &[("chars", Sig::String, false)],
        Sig::String,
        "Removes the given characters (default: white space) at the start.",
    ),
    pipe(
        "rstrip",
        Sig::Text,
        &[("chars", Sig::String, false)],
        Sig::String,
        "Removes the given characters (default: white space) at the end.",
    ),
    pipe(
        "replace",
        Sig::Text,
        &[("old", Sig::String, true), ("new", Sig::String, false)],
        Sig::String,
        "Replaces every `old` with `new` (default: nothing).",
    ),
    pipe(
        "default",
        Sig::Any,
        &[("fallback", Sig::Any, false)],
        Sig::InputNonNull,
        "The value, or `fallback` (default: \"\") when it is null or empty text.",
    ),
    pipe(
        "required",
        Sig::Any,
        &[],
        Sig::InputNonNull,
        "The value; fails the task when it is null or empty text.",
    ),
    pipe(
        "first",
        Sig::Any,
        &[],
        Sig::Element,
        "The first element of a list (null when empty); other values unchanged.",
    ),
    pipe(
        "last",
        Sig::Any,
        &[],
        Sig::Element,
        "The last element of a list (null when empty); other values unchanged.",
    ),
    pipe(
        "nth",
        Sig::Any,
        &[("index", Sig::Int, false)],
        Sig::Element,
        "The element at a 0-based index (default 0; null when out of range).",
    ),
    pipe(
        "join",
        Sig::Any,
        &[("separator", Sig::String, false)],
        Sig::String,
        "Joins the non-null elements as text (default separator: \", \").",
    ),
    pipe(
        "basename",
        Sig::Text,
        &[],
        Sig::String,
        "The last component of a path.",
    ),
    pipe(
        "dirname",
        Sig::Text,
        &[],
        Sig::Path,
        "The path without its last component.",
    ),
    pipe(
        "stem",
        Sig::Text,
        &[],
        Sig::String,
        "The file name without its extension.",
    ),
    pipe(
        "ext",
        Sig::Text,
        &[],
        Sig::String,
        "The extension with its dot (`.mp4`), or empty.",
    ),
    pipe(
        "urlencode",
        Sig::Text,
        &[],
        Sig::String,
        "Percent-encodes everything but letters, digits and `_.-~`.",
    ),
    pipe(
        "urldecode",
        Sig::Text,
        &[],
        Sig::String,
        "Decodes percent-encoding.",
    ),
    pipe(
        "int",
        Sig::Any,
        &[],
        Sig::Int,
        "The value as an integer (a fraction is cut); 0 when it is not a number.",
    ),
    pipe(
        "string",
        Sig::Any,
        &[],
        Sig::String,
        "The value as text; a list is joined with \", \".",
    ),
    pipe(
        "truncate",
        Sig::Text,
        &[("length", Sig::Int, false)],
        Sig::String,
        "At most `length` characters (default 100).",
    ),
    pipe(
        "prepend",
        Sig::Text,
        &[("prefix", Sig::String, false)],
        Sig::String,
        "Puts text in front.",
    ),
    pipe(
        "append",
        Sig::Text,
        &[("suffix", Sig::String, false)],
        Sig::String,
        "Puts text after.",
    ),
    pipe(
        "match",
        Sig::Text,
        &[("pattern", Sig::String, false)],
        Sig::String,
        "The first match of a linear-time regular expression, or \"\".",
    ),
    pipe(
        "json_get",
        Sig::Any,
        &[("key", Sig::String, false)],
        Sig::Json,
        "The value at `key` of an object (or of a JSON text), or null.",
    ),
    pipe(
        "flatten",
        Sig::Any,
        &[],
        Sig::Flattened,
        "Expands nested lists one level; other values unchanged.",
    ),
    pipe(
        "compact",
        Sig::Any,
        &[],
        Sig::Compacted,
        "Drops null elements; other values unchanged.",
    ),
    pipe(
        "pad",
        Sig::Any,
        &[("width", Sig::Int, false)],
        Sig::String,
        "Zero-pads a number to `width` digits (default 2); other values unchanged as text.",
    ),
    pipe(
        "not",
        Sig::Any,
        &[],
        Sig::Bool,
        "Negates truthiness: null, false, 0, \"\", [] and {} are false.",
    ),
    pipe(
        "eq",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether the value's text equals `other`'s text.",
    ),
    pipe(
        "neq",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether the value's text differs from `other`'s text.",
    ),
    pipe(
        "gt",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether both are numbers and the value is greater (false otherwise).",
    ),
    pipe(
        "lt",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether both are numbers and the value is less (false otherwise).",
    ),
    pipe(
        "gte",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether both are numbers and the value is greater or equal (false otherwise).",
    ),
    pipe(
        "lte",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether both are numbers and the value is less or equal (false otherwise).",
    ),
    pipe(
        "starts_with",
        Sig::Any,
        &[("prefix", Sig::Any, true)],
        Sig::Bool,
        "Whether the value's text starts with `prefix`'s text (false for null).",
    ),
    pipe(
        "ends_with",
        Sig::Any,
        &[("suffix", Sig::Any, true)],
        Sig::Bool,
        "Whether the value's text ends with `suffix`'s text (false for null).",
    ),
    pipe(
        "contains",
        Sig::Any,
        &[("part", Sig::Any, true)],
        Sig::Bool,
        "Whether a list has `part` as an element, a record has it as a key, or text contains its text (false for null).",
    ),
    pipe(
        "exists",
        Sig::Any,
        &[],
        Sig::Bool,
        "Whether the value is not null (a missing field reads as null).",
    ),
    pipe(
        "present",
        Sig::Any,
        &[],
        Sig::Bool,
        "Whether the value exists and is not empty: not null, blank text, [] or {}.",
    ),
    PipeDecl {
        name: "in",
        input: Sig::Any,
        params: &[],
        variadic: Some(("options", Sig::Any, 32)),
        output: Sig::Bool,
        doc: "Whether the value's text is the text of one of the options: `in(\"a\", \"b\")`.",
    },
    pipe(
        "length",
        Sig::Any,
        &[],
        Sig::Int,
        "The number of characters, elements or fields.",
    ),
];

impl Sig {
    /// How the type is written in signatures (`T` is the piped value's type).
    pub fn written(self) -> &'static str {
        match self {
            Sig::Any => "any",
            Sig::String => "string",
            Sig::Text => "text",
            Sig::Path => "path",
            Sig::Int => "int",
            Sig::Bool => "bool",
            Sig::Json => "json",
            Sig::List => "list",
            Sig::Input => "T",
            Sig::InputNonNull => "T without ?",
            Sig::Element => "element of T",
            Sig::Flattened => "list of the elements' elements",
            Sig::Compacted => "T without nulls",
            Sig::OptionalString => "string?",
        }
    }
}

impl PipeDecl {
    /// The pipe's signature as a person reads it: `text | strip(chars?: string) -> string`
    /// (`text` is a string or a path).
    pub fn usage(&self) -> String {
        let mut params: Vec<String> = self
            .params
            .iter()
            .map(|(name, sig, required)| {
                format!(
                    "{name}{}: {}",
                    if *required { "" } else { "?" },
                    sig.written()
                )
            })
            .collect();
        if let Some((name, sig, _)) = self.variadic {
            params.push(format!("{name}...: {}", sig.written()));
        }
        let call = if params.is_empty() {
            self.name.to_string()
        } else {
            format!("{}({})", self.name, params.join(", "))
        };
        format!(
            "{} | {call} -> {}",
            self.input.written(),
            self.output.written()
        )
    }
}

/// The reference table of every pipe, as docs/language.md holds it (a test
/// keeps the two equal).
pub fn pipes_reference() -> String {
    let mut out = String::from("| pipe | signature | what it does |\n|---|---|---|\n");
    for pipe in PIPES {
        out.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            pipe.name,
            pipe.usage().replace('|', "\\|"),
            pipe.doc.replace('|', "\\|")
        ));
    }
    out
}

/// The declaration of a pipe.
pub fn pipe_decl(name: &str) -> Option<&'static PipeDecl> {
    PIPES.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    /// docs/language.md lists every pipe between two markers; `PIPEC_BLESS=1` rewrites the list.
    #[test]
    fn language_reference_lists_every_pipe() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/language.md");
        let text = std::fs::read_to_string(path).expect("docs/language.md is readable");
        let (start, end) = ("<!-- pipes:start -->\n", "<!-- pipes:end -->");
        let from = text.find(start).expect("the pipes:start marker") + start.len();
        let to = text.find(end).expect("the pipes:end marker");
        let want = super::pipes_reference();
        if std::env::var_os("PIPEC_BLESS").is_some_and(|v| v != "0") {
            let updated = format!("{}{want}{}", &text[..from], &text[to..]);
            std::fs::write(path, updated).expect("docs/language.md is writable");
            return;
        }
        assert_eq!(
            &text[from..to],
            want,
            "docs/language.md's pipe table is out of date; run with PIPEC_BLESS=1"
        );
    }

    #[test]
    fn names_are_unique_and_cover_the_brief() {
        let brief = "upper lower trim title replace strip lstrip rstrip default required first last nth join basename dirname stem ext urlencode urldecode int string truncate prepend append match json_get flatten compact pad not eq neq gt lt in length";
        for name in brief.split_whitespace() {
            assert!(super::pipe_decl(name).is_some(), "missing pipe {name}");
        }
        let mut names: Vec<_> = super::PIPES.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), super::PIPES.len());
    }
}
