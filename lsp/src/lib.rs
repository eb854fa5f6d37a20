//! The language server of the `.pipe` language.
//!
//! Not implemented yet: issue 6 builds it with tower-lsp on the compiler's
//! salsa database.
