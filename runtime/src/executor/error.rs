//! Why a run could not start, or stopped before its end.

/// Why a run could not start (nothing ran).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// An input problem: an unknown input, a value of the wrong type.
    #[error("{0}")]
    Input(String),
    /// An input without a default was not given.
    #[error("input `{name}` ({ty}) is required")]
    MissingInput {
        /// The input.
        name: String,
        /// Its type, as written.
        ty: String,
    },
    /// A secret the pipeline declares has no value: its name, and the name
    /// in capitals (`PIPE_SECRET_<NAME>` is how the CLI takes it).
    #[error("secret `{0}` has no value")]
    MissingSecret(String, String),
    /// A constant that cannot be evaluated.
    #[error("constant `{0}`: {1}")]
    Constant(String, String),
    /// The run stopped on a panic (a host plugin's): what it said.
    #[error("the run stopped on a panic: {0}")]
    Panicked(String),
    /// A host plugin the plan needs is not registered.
    #[error("node `{node}` calls plugin `{plugin}`, which this host does not provide")]
    MissingPlugin {
        /// The node.
        node: String,
        /// The plugin.
        plugin: String,
    },
}
