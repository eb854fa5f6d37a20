//! The diagnostic codes of the front end, and their explanations for
//! `pipec explain`.
//!
//! Codes are stable: a code is never reused for another mistake. The front
//! end owns `E00xx` and `W00xx`; the analysis owns `E01xx`–`E09xx` and
//! `W01xx`–`W09xx`.

use crate::diagnostic::Code;

/// The file is not valid UTF-8.
pub const INVALID_UTF8: Code = Code("E0001");
/// A character that starts no token.
pub const UNEXPECTED_CHARACTER: Code = Code("E0002");
/// A string without its closing quote.
pub const UNTERMINATED_STRING: Code = Code("E0003");
/// The parser met a token it did not expect.
pub const UNEXPECTED_TOKEN: Code = Code("E0004");
/// A `{`, `(` or `[` that is never closed.
pub const UNCLOSED_DELIMITER: Code = Code("E0005");
/// A reserved keyword where a name was expected.
pub const KEYWORD_AS_NAME: Code = Code("E0006");
/// An invalid `\u{...}` escape.
pub const INVALID_ESCAPE: Code = Code("E0007");
/// `group ... by` something other than `origin`.
pub const UNKNOWN_GROUP_KEY: Code = Code("E0008");
/// A number with letters after it that are no known unit.
pub const INVALID_NUMBER: Code = Code("E0009");
/// Text at the top level that is not an item, or in a pipeline that is not a member.
pub const EXPECTED_ITEM: Code = Code("E0010");
/// Brackets nested too deeply.
pub const NESTING_TOO_DEEP: Code = Code("E0011");
/// An expression with too many operators.
pub const EXPRESSION_TOO_LARGE: Code = Code("E0012");
/// A `///` doc comment that documents nothing.
pub const DANGLING_DOC_COMMENT: Code = Code("W0001");

/// What `pipec explain` says about one code.
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    /// The code.
    pub code: Code,
    /// A short title.
    pub title: &'static str,
    /// A paragraph: what the mistake is and why it matters.
    pub text: &'static str,
    /// A small program with the mistake.
    pub wrong: &'static str,
    /// The same program, repaired.
    pub right: &'static str,
}

/// The explanations of every code the front end emits.
pub const EXPLANATIONS: &[Explanation] = &[
    Explanation {
        code: INVALID_UTF8,
        title: "the file is not valid UTF-8",
        text: "`.pipe` files are UTF-8 text. The file has a byte sequence that is not UTF-8 \
               (often a file saved as Latin-1 or UTF-16, or a binary file given by mistake). \
               Nothing else in the file is checked until it is valid UTF-8.",
        wrong: "// a comment with a Latin-1 byte: \\xE9\n",
        right: "// a comment with UTF-8: é\n",
    },
    Explanation {
        code: UNEXPECTED_CHARACTER,
        title: "a character that starts no token",
        text: "The character cannot begin any token of the language: not a name, number, \
               string, operator or bracket. It is often a stray character from another \
               language (`@`, `$`, `;`, `&&`) or a typographic quote pasted from a document. \
               The language has no arithmetic either (`+ - * / %`): numbers are computed in \
               SQL (`sql`, `filter`, `aggregate` values) or in a plugin. Inside a string's \
               `{...}` the text is an expression, so a string there takes plain quotes \
               (`\"region = {\"o'hara\"}\"`): a `\\\"` there is this error, at its backslash.",
        wrong: "pipeline p {\n  node a = echo(1) @retry\n}\n",
        right: "pipeline p {\n  node a = echo(1) { retry 1 }\n}\n",
    },
    Explanation {
        code: UNTERMINATED_STRING,
        title: "a string without its closing quote",
        text: "A `\"` string must close on the same line. For text over several lines use a \
               `\"\"\"` string, which may span lines and is closed by the next `\"\"\"`.",
        wrong: "pipeline p {\n  node a = echo(\"hello)\n}\n",
        right: "pipeline p {\n  node a = echo(\"hello\")\n}\n",
    },
    Explanation {
        code: UNEXPECTED_TOKEN,
        title: "a token the parser did not expect",
        text: "The parser read a token that cannot stand at that place. The message lists what \
               could have come instead. Only the broken item or pipeline member is dropped: \
               every other item is still parsed and checked.",
        wrong: "pipeline p {\n  node a = echo(1,, 2)\n}\n",
        right: "pipeline p {\n  node a = echo([1, 2])\n}\n",
    },
    Explanation {
        code: UNCLOSED_DELIMITER,
        title: "a bracket that is never closed",
        text: "Every `{`, `(` and `[` needs its closing partner. The diagnostic points at the \
               opening bracket that is still open where the item ends.",
        wrong: "pipeline p {\n  node a = echo(1\n}\n",
        right: "pipeline p {\n  node a = echo(1)\n}\n",
    },
    Explanation {
        code: KEYWORD_AS_NAME,
        title: "a reserved keyword used as a name",
        text: "Keywords such as `node`, `input`, `each`, `all`, `when`, `on` and `in` are \
               reserved and cannot name a pipeline, input, node, output, constant, schema or \
               plugin. They may still be used as field names, argument names and record keys \
               (`join(a, b, on: [\"id\"])`). Pick another name.",
        wrong: "pipeline p {\n  node all = echo(1)\n}\n",
        right: "pipeline p {\n  node everything = echo(1)\n}\n",
    },
    Explanation {
        code: INVALID_ESCAPE,
        title: "an invalid character escape",
        text: "A `\\u{...}` escape takes 1 to 6 hexadecimal digits that name a Unicode scalar \
               value; surrogates (`D800`–`DFFF`) and values above `10FFFF` are not characters. \
               The other escapes are `\\\" \\\\ \\n \\t \\r \\{ \\}`.",
        wrong: "const SMILE = \"\\u{D800}\"\n",
        right: "const SMILE = \"\\u{1F600}\"\n",
    },
    Explanation {
        code: UNKNOWN_GROUP_KEY,
        title: "`group` by something other than `origin`",
        text: "`group A, B by origin` runs one task per root item, giving it the items of A and \
               B that descend from that root. `origin` is the only grouping key the language \
               defines; to group by a value, use a table operator (`aggregate`) instead.",
        wrong: "pipeline p {\n  node files = list_files(\"in\", glob: \"*\")\n  node a = echo(files.path) { each files }\n  node b = echo(a) { group a by name }\n}\n",
        right: "pipeline p {\n  node files = list_files(\"in\", glob: \"*\")\n  node a = echo(files.path) { each files }\n  node b = echo(a) { group a by origin }\n}\n",
    },
    Explanation {
        code: INVALID_NUMBER,
        title: "a number with an unknown unit",
        text: "Letters right after a number make it a duration (`ms s m h d`) or a size \
               (`B KB MB GB TB KiB MiB GiB TiB`). Any other letters are a mistake; put a space \
               or an operator between a number and a name.",
        wrong: "pipeline p {\n  node a = echo(1) { timeout 10min }\n}\n",
        right: "pipeline p {\n  node a = echo(1) { timeout 10m }\n}\n",
    },
    Explanation {
        code: EXPECTED_ITEM,
        title: "text that is not an item",
        text: "At the top level a file holds only `import`, `const`, `schema`, `plugin` and \
               `pipeline` items; inside a pipeline only `input`, `secret`, `node` and `output` \
               members. A member written outside its pipeline, or a stray word, lands here.",
        wrong: "node a = echo(1)\n",
        right: "pipeline p {\n  node a = echo(1)\n}\n",
    },
    Explanation {
        code: NESTING_TOO_DEEP,
        title: "brackets nested too deeply",
        text: "Brackets may nest at most 128 levels deep, generic types (`list<list<...>>`) \
               counting as brackets; inside one string, interpolations with the brackets and \
               strings inside them may nest at most 64 levels deep. Deeper nesting is almost \
               always a generated or corrupted file; the limit keeps every tool from exhausting \
               its stack.",
        wrong: "const X = [[[[ /* ...128 more... */ ]]]]\n",
        right: "const X = [[1, 2], [3, 4]]\n",
    },
    Explanation {
        code: EXPRESSION_TOO_LARGE,
        title: "an expression with too many operators",
        text: "One expression may hold at most 1000 operators and pipes. Split a very long \
               expression into constants or several nodes; this also makes it readable.",
        wrong: "const X = 1 ?? 1 ?? 1 ?? /* ...1000 more... */ 1\n",
        right: "const X = null ?? 2\n",
    },
    Explanation {
        code: DANGLING_DOC_COMMENT,
        title: "a doc comment that documents nothing",
        text: "A `///` doc comment documents the item or member right below it (a pipeline, \
               input, node, output, plugin, schema or constant) and shows in hover and \
               `pipec schema`. This one is followed by something else (a clause, a closing \
               brace, the end of the file), so it would be lost. Use `//` for a plain comment.",
        wrong: "pipeline p {\n  node a = echo(1)\n  /// the end\n}\n",
        right: "pipeline p {\n  node a = echo(1)\n  // the end\n}\n",
    },
];
