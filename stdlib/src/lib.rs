//! Built-in pipes and operators of the `.pipe` language, with their declarations.
//!
//! Not implemented yet: issue 3 adds the declarations the checker needs and
//! issue 4 the implementations the runtime calls.
