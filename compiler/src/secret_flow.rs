//! Where secrets go (W0105): a secret's value read by a node makes that
//! node's value secret-derived, and so on through the nodes that read it;
//! a secret or secret-derived value that reaches an `output`, an argument
//! of a node that writes a file (`write_*`), or a plugin other than the
//! built-ins (a host or declared plugin, where pipec cannot redact it) is
//! reported at check time, with the path it takes. `exec`'s `argv` and
//! `env` are where secrets are meant to go (a token in a header, a
//! password in the environment): they are neither reported nor make the
//! `exec` node secret-derived. The run redacts secret values and values
//! derived from them (`secret.token | upper`) in outputs, messages, events
//! and the store.

use std::collections::HashMap;

use pipec_grammar::ast::{Expr, Member, Pipeline};
use pipec_grammar::diagnostic::{Diagnostic, FileName};

use crate::analyze::{Callee, PipelineInfo};
use crate::codes;

/// Operators that pass their arguments' values on without sending them
/// anywhere: a secret read by one makes its value secret-derived. A `{...}`
/// in the text of `sql` or `aggregate` may be selected into the table
/// (`select {secret.token} as t`), so their tables are secret-derived too;
/// a `filter`'s predicate only chooses rows and passes no value on.
const PASSING: [&str; 4] = ["echo", "items", "sql", "aggregate"];

/// The W0105 diagnostics of one pipeline.
pub fn secret_flows(file: &FileName, pipeline: &Pipeline, info: &PipelineInfo) -> Vec<Diagnostic> {
    if info.secrets.is_empty() {
        return Vec::new();
    }
    // How each secret-derived node got its secret: `secret.token → node `a``.
    let mut derived: HashMap<&str, String> = HashMap::new();
    let mut out = Vec::new();
    // Nodes are in source order; a node reads only nodes checked before it
    // or after it, so repeat until nothing changes (the graph is acyclic).
    loop {
        let mut changed = false;
        for node in &info.nodes {
            let Some(Member::Node(decl)) = pipeline.members.get(node.member) else {
                continue;
            };
            if derived.contains_key(node.name.as_str()) {
                continue;
            }
            let builtin = match &node.callee {
                Some(Callee::Builtin { name }) => Some(name.as_str()),
                _ => None,
            };
            for (arg, param) in decl.call.args.iter().zip(&node.binds) {
                let param = param.as_deref().unwrap_or("");
                if builtin == Some("exec") && matches!(param, "argv" | "env") {
                    continue;
                }
                let Some(path) = secret_path(&arg.value, &derived) else {
                    continue;
                };
                // A built-in that reads a secret-derived node's value passes
                // it on (`filter`, `sort`, `join` keep the rows they read);
                // `exec`'s children are trusted with what they are given.
                let passes = |name: &str| {
                    PASSING.contains(&name) || (name != "exec" && path.contains(" → "))
                };
                match builtin {
                    Some(name) if !name.starts_with("write_") && passes(name) => {
                        derived.insert(&node.name, format!("{path} → node `{}`", node.name));
                        changed = true;
                        break;
                    }
                    Some(name) if name.starts_with("write_") => {
                        out.push(flow(
                            file,
                            &arg.value,
                            &path,
                            &format!("the file node `{}` writes ({name})", node.name),
                        ));
                    }
                    Some(_) => {}
                    None => {
                        let callee = node.callee.as_ref().map_or("?", |c| c.name());
                        out.push(flow(
                            file,
                            &arg.value,
                            &path,
                            &format!(
                                "plugin `{callee}` (argument `{param}` of node `{}`)",
                                node.name
                            ),
                        ));
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    for output in &info.outputs {
        let Some(Member::Output(decl)) = pipeline.members.get(output.member) else {
            continue;
        };
        if let Some(path) = secret_path(&decl.value, &derived) {
            out.push(flow(
                file,
                &decl.value,
                &path,
                &format!("output `{}`", output.name),
            ));
        }
    }
    // One report per place, however often the loop above met it.
    out.sort_by_key(|d| (d.span().start, d.message.clone()));
    out.dedup();
    out
}

/// The path by which `expr` holds a secret: `secret.token` itself, or a
/// secret-derived node's path.
fn secret_path(expr: &Expr, derived: &HashMap<&str, String>) -> Option<String> {
    let mut found = None;
    expr.for_each_ref(&mut |path| {
        if found.is_some() {
            return;
        }
        match path {
            [namespace, name, ..] if namespace.name == "secret" => {
                found = Some(format!("secret.{}", name.name));
            }
            [node, ..] => {
                if let Some(how) = derived.get(node.name.as_str()) {
                    found = Some(how.clone());
                }
            }
            [] => {}
        }
    });
    found
}

fn flow(file: &FileName, expr: &Expr, path: &str, sink: &str) -> Diagnostic {
    Diagnostic::new(
        codes::SECRET_FLOWS_OUT,
        format!("a secret reaches {sink}: {path} → {sink}"),
        file,
        expr.span,
    )
    .with_label("a secret's value, or one derived from it")
    .with_help(
        "pipec redacts secret values it prints and records, but not what a file or a plugin keeps; \
         pass secrets to `exec` through `argv` or `env`, or leave them out of this value",
    )
}
