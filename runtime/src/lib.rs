//! The plan executor of the `.pipe` language.
//!
//! Today: the expression evaluator ([`eval`]) with every built-in pipe
//! ([`pipes`]), which `pipec eval` and (next) the executor use. Issue 4 adds
//! the executor on rayon, the store and events; issue 5 tables on DataFusion.
//! The runtime never parses text: it evaluates the compiler's `PlanExpr`.
#![warn(missing_docs)]

pub mod eval;
pub mod pipes;
pub mod text;

pub use eval::{EvalError, Limits, Scope, evaluate};
