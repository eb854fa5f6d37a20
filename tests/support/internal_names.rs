//! Internal names — a table's handle (`$table`), the executor's argument
//! names (`$tables`, `$params`), a SQL parameter's number (`$2`) — never
//! reach a message. Shared by the golden and CLI tests, which look at every
//! message they compare.

/// The internal names in `output`, each with its line. Source lines quoted
/// by a diagnostic (` 6 │ ...`) are the user's own text and are skipped.
pub fn internal_names(output: &str) -> Vec<String> {
    let pattern = regex::Regex::new(r"\$(table|tables|params)\b|\$[0-9]+").expect("pattern");
    output
        .lines()
        .filter(|line| !is_quoted_source(line))
        .filter(|line| pattern.is_match(line))
        .map(str::to_string)
        .collect()
}

/// ` 12 │   node ...`: a line of the user's file, as a diagnostic quotes it.
fn is_quoted_source(line: &str) -> bool {
    let trimmed = line.trim_start();
    let digits = trimmed.len()
        - trimmed
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    digits > 0 && trimmed[digits..].trim_start().starts_with('│')
}
