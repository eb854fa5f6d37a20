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
        output,
        doc,
    }
}

/// Every built-in pipe.
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
        "Removes the given characters (default white space) at both ends.",
    ),
    pipe(
        "lstrip",
        Sig::Text,
        &[("chars", Sig::String, false)],
        Sig::String,
        "Removes characters at the start.",
    ),
    pipe(
        "rstrip",
        Sig::Text,
        &[("chars", Sig::String, false)],
        Sig::String,
        "Removes characters at the end.",
    ),
    pipe(
        "replace",
        Sig::Text,
        &[("old", Sig::String, true), ("new", Sig::String, true)],
        Sig::String,
        "Replaces every occurrence of `old` with `new`.",
    ),
    pipe(
        "default",
        Sig::Any,
        &[("value", Sig::Any, true)],
        Sig::InputNonNull,
        "The value, or `value` when it is null or empty.",
    ),
    pipe(
        "required",
        Sig::Any,
        &[],
        Sig::InputNonNull,
        "The value; fails the task when it is null or empty.",
    ),
    pipe(
        "first",
        Sig::List,
        &[],
        Sig::Element,
        "The first element of a list (null when empty).",
    ),
    pipe(
        "last",
        Sig::List,
        &[],
        Sig::Element,
        "The last element of a list (null when empty).",
    ),
    pipe(
        "nth",
        Sig::List,
        &[("index", Sig::Int, true)],
        Sig::Element,
        "The element at a 0-based index (null when out of range).",
    ),
    pipe(
        "join",
        Sig::List,
        &[("separator", Sig::String, false)],
        Sig::String,
        "Joins the elements as text.",
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
        "Percent-encodes for a URL.",
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
        "The value as an integer; 0 when it is not a number.",
    ),
    pipe("string", Sig::Any, &[], Sig::String, "The value as text."),
    pipe(
        "truncate",
        Sig::Text,
        &[("length", Sig::Int, true), ("suffix", Sig::String, false)],
        Sig::String,
        "At most `length` characters, ending in `suffix` when cut.",
    ),
    pipe(
        "prepend",
        Sig::Text,
        &[("prefix", Sig::String, true)],
        Sig::String,
        "Puts text in front.",
    ),
    pipe(
        "append",
        Sig::Text,
        &[("suffix", Sig::String, true)],
        Sig::String,
        "Puts text after.",
    ),
    pipe(
        "match",
        Sig::Text,
        &[("pattern", Sig::String, true)],
        Sig::OptionalString,
        "The first match of a linear-time regular expression, or null.",
    ),
    pipe(
        "json_get",
        Sig::Any,
        &[("pointer", Sig::String, true)],
        Sig::Json,
        "The value at a JSON pointer (`/a/0/b`), or null.",
    ),
    pipe(
        "flatten",
        Sig::List,
        &[],
        Sig::Flattened,
        "Concatenates a list of lists.",
    ),
    pipe(
        "compact",
        Sig::List,
        &[],
        Sig::Compacted,
        "Drops null and empty elements.",
    ),
    pipe(
        "pad",
        Sig::Text,
        &[("width", Sig::Int, true), ("fill", Sig::String, false)],
        Sig::String,
        "Pads on the left to `width` characters.",
    ),
    pipe("not", Sig::Bool, &[], Sig::Bool, "Negates a bool."),
    pipe(
        "eq",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether the value equals `other`.",
    ),
    pipe(
        "neq",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether the value differs from `other`.",
    ),
    pipe(
        "gt",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether the value is greater than `other`.",
    ),
    pipe(
        "lt",
        Sig::Any,
        &[("other", Sig::Any, true)],
        Sig::Bool,
        "Whether the value is less than `other`.",
    ),
    pipe(
        "in",
        Sig::Any,
        &[("list", Sig::List, true)],
        Sig::Bool,
        "Whether the value is an element of `list`.",
    ),
    pipe(
        "length",
        Sig::Any,
        &[],
        Sig::Int,
        "The number of characters, elements or fields.",
    ),
];

/// The declaration of a pipe.
pub fn pipe_decl(name: &str) -> Option<&'static PipeDecl> {
    PIPES.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
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
