//! Built-in pipes and operators of the `.pipe` language, with their declarations.
//!
//! The operators are declared in the language itself ([`PRELUDE`]), so the
//! checker, hover and the docs share one source. Pipes are declared in
//! [`pipes::PIPES`]. Their implementations arrive with the runtime (issue 4).
#![warn(missing_docs)]

pub mod pipes;

/// The `plugin` declarations of the built-in operators, as `.pipe` source.
pub const PRELUDE: &str = include_str!("prelude.pipe");

/// The name the prelude is shown under in diagnostics.
pub const PRELUDE_NAME: &str = "<stdlib>/prelude.pipe";
