//! `pipec explain`: what a diagnostic code means, with a wrong and a right example.

use super::{EXIT_OK, EXIT_USAGE, ExplainArgs};

/// Runs `pipec explain`.
pub fn run(args: &ExplainArgs) -> u8 {
    let Some(code) = &args.code else {
        for e in pipec_compiler::explanations() {
            outln!("{}  {}", e.code, e.title);
        }
        return EXIT_OK;
    };
    match pipec_compiler::explain(code) {
        Some(e) => {
            out!("{}", render(e));
            EXIT_OK
        }
        None => {
            let known: Vec<&str> = pipec_compiler::explanations()
                .iter()
                .map(|e| e.code.as_str())
                .collect();
            let upper = code.to_ascii_uppercase();
            let near = pipec_grammar::diagnostic::closest(&upper, known.iter().copied());
            errln!("error: no diagnostic has the code `{code}`");
            if let Some(first) = near.first() {
                errln!("help: did you mean `{first}`? `pipec explain` lists every code");
            } else {
                errln!("help: `pipec explain` lists every code");
            }
            EXIT_USAGE
        }
    }
}

/// The text `pipec explain CODE` prints.
pub fn render(e: &pipec_grammar::codes::Explanation) -> String {
    let indent = |text: &str| {
        text.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    format!(
        "{code}: {title}\n\n{text}\n\nWrong:\n\n{wrong}\nRight:\n\n{right}",
        code = e.code,
        title = e.title,
        text = textwrap(e.text, 80),
        wrong = indent(e.wrong),
        right = indent(e.right),
    )
}

fn textwrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}
