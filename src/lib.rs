//! pipec as a library (filled in as the CLI grows).
