//! The texts a run hides: every secret's value, and every text derived from
//! secrets alone by pipes and operators (`secret.token | upper`,
//! `secret.user ?? "anonymous"`), so that a transformed secret is as hidden
//! as the secret itself in outputs, messages, events and the store. A
//! derived value that is not text, or text shorter than four characters (a
//! length, a flag), is not hidden: it would hide unrelated text everywhere.

use std::collections::HashMap;

use pipec_compiler::plan::{Mode, Plan, PlanExpr, TemplatePart};
use serde_json::{Map, Value};

use crate::eval::{Limits, evaluate};

/// The shortest derived text that is hidden.
const SHORTEST_DERIVED: usize = 4;

/// The secret values of `secrets` (by name) that are not empty, and the
/// texts `plan`'s expressions derive from secrets alone.
pub fn secret_texts(plan: &Plan, secrets: &HashMap<String, String>) -> Vec<String> {
    let mut texts: Vec<String> = secrets
        .values()
        .filter(|v| !v.is_empty())
        .cloned()
        .collect();
    if secrets.is_empty() {
        return texts;
    }
    let scope: Map<String, Value> = std::iter::once((
        "secret".to_string(),
        Value::Object(
            secrets
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        ),
    ))
    .collect();
    let limits = Limits::default();
    let mut derived = |expr: &PlanExpr| {
        if let Ok(Value::String(text)) = evaluate(expr, &scope, &limits)
            && text.chars().count() >= SHORTEST_DERIVED
            && !texts.contains(&text)
        {
            texts.push(text);
        }
    };
    visit_plan(plan, &mut |expr| {
        if matches!(expr, PlanExpr::Pipe { .. } | PlanExpr::Binary { .. })
            && reads_only_secrets(expr)
        {
            derived(expr);
        }
    });
    texts
}

/// Whether every reference of `expr` is a secret's, and there is one.
fn reads_only_secrets(expr: &PlanExpr) -> bool {
    let mut secrets = 0;
    let mut others = 0;
    expr.visit_refs(false, &mut |head, _| match head {
        "secret" => secrets += 1,
        _ => others += 1,
    });
    secrets > 0 && others == 0
}

/// Calls `found` with every expression of the plan and its called
/// pipelines' plans, and every sub-expression of each.
fn visit_plan(plan: &Plan, found: &mut impl FnMut(&PlanExpr)) {
    for input in &plan.inputs {
        if let Some(default) = &input.default {
            visit(default, found);
        }
    }
    for (_, constant) in &plan.constants {
        visit(constant, found);
    }
    for node in &plan.nodes {
        for binding in &node.bindings {
            visit(&binding.value, found);
            binding.filters.values().for_each(|f| visit(f, found));
        }
        if let Some(when) = &node.when {
            visit(when, found);
        }
        if let Mode::Each {
            filter: Some(filter),
            ..
        } = &node.mode
        {
            visit(filter, found);
        }
    }
    for output in &plan.outputs {
        visit(&output.value, found);
    }
    for subplan in plan.subplans.values() {
        visit_plan(subplan, found);
    }
}

fn visit(expr: &PlanExpr, found: &mut impl FnMut(&PlanExpr)) {
    found(expr);
    match expr {
        PlanExpr::Template(parts) => {
            for part in parts {
                if let TemplatePart::Value(value) = part {
                    visit(value, found);
                }
            }
        }
        PlanExpr::List(items) => items.iter().for_each(|i| visit(i, found)),
        PlanExpr::Record(fields) => fields.iter().for_each(|(_, v)| visit(v, found)),
        PlanExpr::Pipe { value, args, .. } => {
            visit(value, found);
            args.iter().for_each(|a| visit(a, found));
        }
        PlanExpr::Binary { lhs, rhs, .. } => {
            visit(lhs, found);
            visit(rhs, found);
        }
        PlanExpr::Not(inner) => visit(inner, found),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(source: &str) -> Plan {
        let mut db = pipec_compiler::Database::new();
        let file = db.set_source(std::path::Path::new("s.pipe"), source.as_bytes().to_vec());
        pipec_compiler::compile::compile(&db, file, None)
            .map(|c| c.plan)
            .map_err(|e| e.to_string())
            .expect("compiles")
    }

    #[test]
    fn text_derived_from_secrets_alone_is_hidden_too() {
        let plan = plan(
            "pipeline p {\n  secret token\n  node a = exec([\"echo\", secret.token | upper])\n  node b = echo(secret.token | length)\n  output o = a.stdout\n}\n",
        );
        let secrets = HashMap::from([("token".to_string(), "abc-xyz".to_string())]);
        let texts = secret_texts(&plan, &secrets);
        assert!(texts.contains(&"abc-xyz".to_string()));
        assert!(texts.contains(&"ABC-XYZ".to_string()), "{texts:?}");
        assert!(!texts.contains(&"7".to_string()), "a length is not hidden");
    }
}
