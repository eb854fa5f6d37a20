//! Signature help, and the call around the cursor (shared with completion).

use pipec_compiler::ide;
use pipec_compiler::{Db, Source};
use pipec_grammar::ast::Ident;
use pipec_grammar::span::Span;
use tower_lsp::lsp_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureInformation,
};

use crate::hover::signature_line;

/// How far back from the cursor the opening parenthesis of a call is looked for.
const LOOK_BACK: usize = 4096;

/// The call whose parentheses hold the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallContext {
    /// The callee as written: `read_csv`, `clean.normalize`, or a pipe's name.
    pub callee: Vec<String>,
    /// Whether it is a pipe call (`value | name(...)`).
    pub pipe: bool,
    /// The index of the argument the cursor is in.
    pub argument: usize,
    /// The name of that argument when it is written `name: value`.
    pub named: Option<String>,
    /// Names of the named arguments already written.
    pub given: Vec<String>,
    /// Whether the cursor is where an argument's name may be typed.
    pub at_argument_start: bool,
}

/// Finds the call around `offset` by scanning back for an unmatched `(`,
/// skipping brackets and strings.
pub fn call_at(text: &str, offset: usize) -> Option<CallContext> {
    let offset = offset.min(text.len());
    let start = offset.saturating_sub(LOOK_BACK);
    let start = (start..offset).find(|&i| text.is_char_boundary(i))?;
    let before = &text[start..offset];
    let bytes = before.as_bytes();
    // Forward scan to know which bytes are inside strings (on this window).
    let mut in_string = vec![false; bytes.len()];
    let mut quote = false;
    let mut i = 0;
    while i < bytes.len() {
        if quote {
            in_string[i] = true;
            if bytes[i] == b'\\' {
                if i + 1 < bytes.len() {
                    in_string[i + 1] = true;
                }
                i += 2;
                continue;
            }
            if bytes[i] == b'"' {
                quote = false;
            }
        } else if bytes[i] == b'"' {
            quote = true;
            in_string[i] = true;
        }
        i += 1;
    }
    let mut depth = 0usize;
    let mut commas = 0usize;
    let mut argument_start = bytes.len();
    let mut open = None;
    for j in (0..bytes.len()).rev() {
        if in_string[j] {
            continue;
        }
        match bytes[j] {
            b')' | b']' | b'}' => depth += 1,
            b'(' if depth == 0 => {
                open = Some(j);
                break;
            }
            b'[' | b'{' if depth == 0 => return None,
            b'(' | b'[' | b'{' => depth -= 1,
            b',' if depth == 0 => {
                if commas == 0 {
                    argument_start = j + 1;
                }
                commas += 1;
            }
            _ => {}
        }
    }
    let open = open?;
    if commas == 0 {
        argument_start = open + 1;
    }
    let head = before[..open].trim_end();
    let path_start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let path = &head[path_start..];
    if path.is_empty() || path.starts_with('.') {
        return None;
    }
    let pipe = head[..path_start].trim_end().ends_with('|');
    let current = &before[argument_start..];
    let named = named_argument(current);
    let given = before[open + 1..]
        .split(',')
        .filter_map(named_argument)
        .collect();
    Some(CallContext {
        callee: path.split('.').map(str::to_string).collect(),
        pipe,
        argument: commas,
        at_argument_start: current
            .trim_start()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
        named,
        given,
    })
}

/// `name` of an argument written `name: value`.
fn named_argument(argument: &str) -> Option<String> {
    let (name, _) = argument.split_once(':')?;
    let name = name.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

/// The parameters of the call's callee: names, types as written, docs.
pub struct Parameters {
    /// The signature line.
    pub label: String,
    /// Each parameter's name and label.
    pub params: Vec<(String, String)>,
    /// Doc comment of the callee.
    pub docs: Option<String>,
}

/// The parameters of what a call calls, as seen from `source`.
pub fn parameters(db: &dyn Db, source: Source, call: &CallContext) -> Option<Parameters> {
    if call.pipe {
        let pipe = pipec_stdlib::pipes::pipe_decl(call.callee.last()?)?;
        let mut params: Vec<(String, String)> = pipe
            .params
            .iter()
            .map(|(name, sig, required)| {
                let optional = if *required { "" } else { "?" };
                (
                    name.to_string(),
                    format!("{name}{optional}: {}", sig.written()),
                )
            })
            .collect();
        if let Some((name, sig, _)) = pipe.variadic {
            params.push((name.to_string(), format!("{name}...: {}", sig.written())));
        }
        return Some(Parameters {
            label: pipe.usage(),
            params,
            docs: Some(pipe.doc.to_string()),
        });
    }
    let path: Vec<Ident> = call
        .callee
        .iter()
        .map(|name| Ident {
            name: name.clone(),
            span: Span::default(),
        })
        .collect();
    let found = ide::find_callee(db, source, &path)?;
    let signature = ide::signature(db, found)?;
    let params = signature
        .params
        .iter()
        .map(|p| (p.name.clone(), p.written()))
        .collect();
    let docs = ide::item_at(db, found.source, found.index)?
        .value
        .docs()
        .text();
    Some(Parameters {
        label: signature_line(signature),
        params,
        docs,
    })
}

/// Signature help at `offset`.
pub fn help(db: &dyn Db, source: Source, text: &str, offset: usize) -> Option<SignatureHelp> {
    let call = call_at(text, offset)?;
    let parameters = parameters(db, source, &call)?;
    let active = match &call.named {
        Some(name) => parameters.params.iter().position(|(n, _)| n == name),
        None => Some(call.argument.min(parameters.params.len().saturating_sub(1))),
    };
    let params: Vec<ParameterInformation> = parameters
        .params
        .iter()
        .map(|(_, label)| ParameterInformation {
            label: ParameterLabel::Simple(label.clone()),
            documentation: None,
        })
        .collect();
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: parameters.label,
            documentation: parameters.docs.map(|value| {
                Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value,
                })
            }),
            parameters: Some(params),
            active_parameter: active.map(|a| a as u32),
        }],
        active_signature: Some(0),
        active_parameter: active.map(|a| a as u32),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_call_around_the_cursor_is_found_past_nested_brackets_and_strings() {
        let text = r#"node a = read_csv("x(,", delimiter: "," , schema: [1, (2)], "#;
        let call = call_at(text, text.len()).unwrap();
        assert_eq!(call.callee, vec!["read_csv"]);
        assert_eq!(call.argument, 3);
        assert_eq!(call.given, vec!["delimiter", "schema"]);
        assert!(call.at_argument_start);
        let text = "node t = clean.normalize(table: ";
        let call = call_at(text, text.len()).unwrap();
        assert_eq!(call.callee, vec!["clean", "normalize"]);
        assert_eq!(call.named.as_deref(), Some("table"));
        let text = "output x = a.name | truncate(";
        assert!(call_at(text, text.len()).unwrap().pipe);
        assert_eq!(call_at("node a = f(x) ", 14), None);
    }
}
