//! Evaluates plan expressions against a scope of named values.

use pipec_compiler::plan::{PlanExpr, TemplatePart};
use serde_json::{Map, Value};

use crate::pipes;
use crate::text::{compare_numbers, equal, json_size, text, truthy};

/// Bounds on one evaluation, so that no expression can run away; the
/// defaults are pipec's one table of limits (`pipec_grammar::limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most pipe calls in one evaluation.
    pub max_pipe_calls: usize,
    /// Most bytes of any value built (as compact JSON).
    pub max_result_bytes: usize,
    /// Deepest expression evaluated (lists, records, operators and pipes
    /// each a level).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        use pipec_compiler::limits;
        Limits {
            max_pipe_calls: limits::MAX_PIPE_CALLS,
            max_result_bytes: limits::MAX_RESULT_BYTES,
            max_depth: limits::MAX_EVAL_DEPTH,
        }
    }
}

/// Why an expression could not be evaluated. Messages name the thing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// A reference whose first name is not in scope.
    #[error("`{0}` is not defined here")]
    Undefined(String),
    /// `| required` met null or empty text.
    #[error("required value is missing: `{0}` is null or empty")]
    RequiredMissing(String),
    /// A pipe that does not exist.
    #[error("unknown pipe `{0}`")]
    UnknownPipe(String),
    /// A pipe called with a wrong number of arguments.
    #[error("`{pipe}` takes {expected} argument(s), but {given} were given")]
    PipeArity {
        /// The pipe.
        pipe: String,
        /// What it takes, e.g. "1 to 2".
        expected: String,
        /// How many were given.
        given: usize,
    },
    /// Operands an operator cannot take.
    #[error("`{op}` cannot take {left} and {right}")]
    Operands {
        /// The operator.
        op: String,
        /// The left value's kind.
        left: &'static str,
        /// The right value's kind.
        right: &'static str,
    },
    /// A regular expression that does not compile.
    #[error("invalid regular expression `{pattern}`: {message}")]
    Regex {
        /// The pattern.
        pattern: String,
        /// The engine's complaint.
        message: String,
    },
    /// A limit was reached.
    #[error("{0}")]
    Limit(String),
}

/// Where references look up their first name (`input`, `files`, `run`, ...).
pub trait Scope {
    /// The value of a name, if it is defined.
    fn get(&self, name: &str) -> Option<&Value>;
}

impl Scope for Map<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        Map::get(self, name)
    }
}

/// The kind of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a record",
    }
}

/// Evaluates `expr` in `scope` within `limits`.
pub fn evaluate(expr: &PlanExpr, scope: &dyn Scope, limits: &Limits) -> Result<Value, EvalError> {
    let mut evaluator = Evaluator {
        scope,
        limits,
        pipe_calls: 0,
    };
    let value = evaluator.eval(expr, 0)?;
    evaluator.check_size(&value)?;
    Ok(value)
}

struct Evaluator<'a> {
    scope: &'a dyn Scope,
    limits: &'a Limits,
    pipe_calls: usize,
}

impl Evaluator<'_> {
    fn check_size(&self, value: &Value) -> Result<(), EvalError> {
        let size = json_size(value);
        if size > self.limits.max_result_bytes {
            return Err(EvalError::Limit(format!(
                "expression result would be {size} bytes; at most {} are allowed",
                self.limits.max_result_bytes
            )));
        }
        Ok(())
    }

    fn eval(&mut self, expr: &PlanExpr, depth: usize) -> Result<Value, EvalError> {
        if depth > self.limits.max_depth {
            return Err(EvalError::Limit(format!(
                "expression nests deeper than {} levels",
                self.limits.max_depth
            )));
        }
        Ok(match expr {
            PlanExpr::Null => Value::Null,
            PlanExpr::Bool(b) => Value::Bool(*b),
            PlanExpr::Int(i) => Value::from(*i),
            PlanExpr::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            PlanExpr::String(s) => Value::String(s.clone()),
            PlanExpr::DurationMs(ms) => Value::from(*ms),
            PlanExpr::SizeBytes(bytes) => Value::from(*bytes),
            PlanExpr::Template(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        TemplatePart::Text(written) => out.push_str(written),
                        TemplatePart::Value(expr) => {
                            out.push_str(&text(&self.eval(expr, depth + 1)?))
                        }
                    }
                    if out.len() > self.limits.max_result_bytes {
                        return Err(EvalError::Limit(format!(
                            "template text exceeds {} bytes",
                            self.limits.max_result_bytes
                        )));
                    }
                }
                Value::String(out)
            }
            PlanExpr::Ref(path) => self.reference(path)?,
            PlanExpr::List(items) => {
                let values = items
                    .iter()
                    .map(|i| self.eval(i, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                let value = Value::Array(values);
                self.check_size(&value)?;
                value
            }
            PlanExpr::Record(fields) => {
                let mut map = Map::new();
                for (name, value) in fields {
                    map.insert(name.clone(), self.eval(value, depth + 1)?);
                }
                let value = Value::Object(map);
                self.check_size(&value)?;
                value
            }
            PlanExpr::Pipe { value, name, args } => {
                self.pipe_calls += 1;
                if self.pipe_calls > self.limits.max_pipe_calls {
                    return Err(EvalError::Limit(format!(
                        "more than {} pipe calls in one expression",
                        self.limits.max_pipe_calls
                    )));
                }
                let input = self.eval(value, depth + 1)?;
                let args = args
                    .iter()
                    .map(|a| self.eval(a, depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                let result = pipes::apply(name, input, &args, self.limits, value)?;
                self.check_size(&result)?;
                result
            }
            PlanExpr::Binary { op, lhs, rhs } => self.binary(op, lhs, rhs, depth)?,
            PlanExpr::Not(inner) => Value::Bool(!truthy(&self.eval(inner, depth + 1)?)),
        })
    }

    /// `a.b.c`: a field of a list of records maps over the records.
    fn reference(&self, path: &[String]) -> Result<Value, EvalError> {
        let head = path.first().map(String::as_str).unwrap_or("");
        let mut value = self
            .scope
            .get(head)
            .cloned()
            .ok_or_else(|| EvalError::Undefined(head.to_string()))?;
        for field in &path[1..] {
            value = get_field(&value, field);
        }
        Ok(value)
    }

    fn binary(
        &mut self,
        op: &str,
        lhs: &PlanExpr,
        rhs: &PlanExpr,
        depth: usize,
    ) -> Result<Value, EvalError> {
        // Short-circuit operators first.
        match op {
            "??" => {
                let left = self.eval(lhs, depth + 1)?;
                return if left.is_null() {
                    self.eval(rhs, depth + 1)
                } else {
                    Ok(left)
                };
            }
            "and" => {
                let left = self.eval(lhs, depth + 1)?;
                return Ok(Value::Bool(
                    truthy(&left) && truthy(&self.eval(rhs, depth + 1)?),
                ));
            }
            "or" => {
                let left = self.eval(lhs, depth + 1)?;
                return Ok(Value::Bool(
                    truthy(&left) || truthy(&self.eval(rhs, depth + 1)?),
                ));
            }
            _ => {}
        }
        let left = self.eval(lhs, depth + 1)?;
        let right = self.eval(rhs, depth + 1)?;
        let operands = || EvalError::Operands {
            op: op.to_string(),
            left: kind(&left),
            right: kind(&right),
        };
        Ok(Value::Bool(match op {
            "==" => equal(&left, &right),
            "!=" => !equal(&left, &right),
            "<" | "<=" | ">" | ">=" => {
                let ordering = match (&left, &right) {
                    (Value::Number(_), Value::Number(_)) => compare_numbers(&left, &right),
                    (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                    _ => None,
                }
                .ok_or_else(operands)?;
                match op {
                    "<" => ordering.is_lt(),
                    "<=" => ordering.is_le(),
                    ">" => ordering.is_gt(),
                    _ => ordering.is_ge(),
                }
            }
            "in" | "not in" => {
                let found = match &right {
                    Value::Array(items) => items.iter().any(|i| equal(i, &left)),
                    Value::String(s) => s.contains(&text(&left)),
                    Value::Object(map) => map.contains_key(&text(&left)),
                    Value::Null => false,
                    _ => return Err(operands()),
                };
                found == (op == "in")
            }
            "matches" => {
                let pattern = text(&right);
                pipes::regex(&pattern)?.is_match(&text(&left))
            }
            _ => return Err(operands()),
        }))
    }
}

/// A field of a value: of a record, or mapped over a list of records; null otherwise.
pub fn get_field(value: &Value, field: &str) -> Value {
    match value {
        Value::Object(map) => map.get(field).cloned().unwrap_or(Value::Null),
        Value::Array(items) => Value::Array(items.iter().map(|i| get_field(i, field)).collect()),
        _ => Value::Null,
    }
}
