//! The one table of pipec's limits, shared by `check` (the parser refuses
//! a program over a static limit, with a diagnostic naming the construct)
//! and the run (the evaluator refuses a value over a dynamic one, with an
//! error naming the pipe or construct). Every expression `check` accepts
//! can be evaluated without meeting a static limit again at run time.
//! docs/language.md §12 lists them.

/// Deepest bracket nesting accepted (generic types `list<...>` count as
/// brackets); deeper input is refused before pest sees it (E0011).
pub const MAX_NESTING: usize = 128;

/// How deep interpolations, the brackets inside them and the strings inside
/// those may nest within one string (E0011).
pub const MAX_STRING_NESTING: usize = 64;

/// Most operators and pipes one expression may hold (E0012).
pub const MAX_EXPR_OPERATORS: usize = 1_000;

/// Deepest expression the evaluator recurses through: as deep as any
/// expression the parser accepts can be (every operator and pipe a level,
/// plus its brackets and string nesting), so that a checked program never
/// fails at run time for its depth.
pub const MAX_EVAL_DEPTH: usize = MAX_EXPR_OPERATORS + MAX_NESTING + MAX_STRING_NESTING;

/// Most pipe calls one evaluation may make (pipes over lists call others).
pub const MAX_PIPE_CALLS: usize = 10_000;

/// Most bytes one evaluated value may hold, as compact JSON; a pipe that
/// builds text (`join`, `replace`, `pad`) checks it before it allocates.
pub const MAX_RESULT_BYTES: usize = 1 << 20;
