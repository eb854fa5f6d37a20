//! The front end of the `.pipe` language: the logos lexer, the pest grammar
//! with its recovering parser, the typed syntax tree, the diagnostic type of
//! the whole toolchain with its renderers, and the formatter.
//!
//! ```
//! use pipec_grammar::{parse, diagnostic::FileName};
//! let file: FileName = "demo.pipe".into();
//! let parsed = parse(&file, "pipeline p { node a = echo(\"hi\") }");
//! assert!(parsed.diagnostics.is_empty());
//! assert_eq!(parsed.tree.items.len(), 1);
//! ```
#![warn(missing_docs)]

// pest without its `std` feature (see Cargo.toml) names `alloc` in its generated code.
extern crate alloc;

pub mod ast;
pub mod codes;
pub mod diagnostic;
pub mod format;
pub mod lexer;
pub mod limits;
#[allow(missing_docs)]
pub mod parser;
pub mod render;
pub mod span;

pub use parser::{Parse, parse, parse_bytes, parse_expr};
