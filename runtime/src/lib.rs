//! The plan executor of the `.pipe` language.
//!
//! Not implemented yet: issue 4 (executor on rayon, store, events) and issue 5
//! (tables on DataFusion) fill this crate. It exists now so that the workspace
//! has its final shape and dependencies point one way from the start.
