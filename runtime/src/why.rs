//! Why a task ran although an earlier run had done the same node and item:
//! the parts of its key ([`crate::executor::Keyed`]) compared with the
//! earlier task's, in words (`argument glob: "*.txt" -> "*.md"`,
//! `file in/a.txt changed (12 -> 14 bytes)`).

use serde_json::{Map, Value};

/// The reasons a task with key parts `now` ran, compared with an earlier
/// task of the same node and item whose parts were `before`. Empty when
/// the parts read the same (the key differs in what a preview cuts off:
/// the caller says the arguments changed).
pub fn reasons(before: &Value, now: &Value) -> Vec<String> {
    let mut reasons = Vec::new();
    let text =
        |parts: &Value, name: &str| parts.get(name).and_then(Value::as_str).map(str::to_string);
    if let (Some(old), Some(new)) = (text(before, "operator"), text(now, "operator"))
        && old != new
    {
        let (old_name, old_version) = old.split_once('@').unwrap_or((old.as_str(), ""));
        let (new_name, new_version) = new.split_once('@').unwrap_or((new.as_str(), ""));
        reasons.push(if old_name == new_name {
            format!("operator {new_name} changed version ({old_version} -> {new_version})")
        } else {
            format!("operator changed: {old_name} -> {new_name}")
        });
    }
    let empty = Map::new();
    let fields = |parts: &Value, name: &str| {
        parts
            .get(name)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (old_tables, new_tables) = (fields(before, "tables"), fields(now, "tables"));
    let (old_args, new_args) = (fields(before, "args"), fields(now, "args"));
    for (name, new) in &new_args {
        match (old_args.get(name), new_tables.get(name)) {
            // A table read: it changed when the task that made it did.
            (_, Some(node))
                if old_args.get(name) != Some(new) || old_tables.get(name) != Some(node) =>
            {
                let node = node.as_str().unwrap_or("?");
                reasons.push(format!("upstream table of node `{node}` changed"));
            }
            (_, Some(_)) => {}
            (Some(old), None) if old != new => reasons.push(format!(
                "argument {name}: {} -> {}",
                old.as_str().unwrap_or(""),
                new.as_str().unwrap_or("")
            )),
            (None, None) => reasons.push(format!("argument {name} is new")),
            _ => {}
        }
    }
    for name in old_args.keys().filter(|name| !new_args.contains_key(*name)) {
        reasons.push(format!("argument {name} was removed"));
    }
    let (old_files, new_files) = (fields(before, "files"), fields(now, "files"));
    for (path, new) in &new_files {
        let bytes = |sig: &Value| sig.get("bytes").and_then(Value::as_u64).unwrap_or(0);
        match old_files.get(path) {
            None => reasons.push(format!("file {path} is read for the first time")),
            Some(old) if old.get("hash") != new.get("hash") => {
                reasons.push(if bytes(old) == bytes(new) {
                    format!("file {path} changed (same size, {} bytes)", bytes(new))
                } else {
                    format!(
                        "file {path} changed ({} -> {} bytes)",
                        bytes(old),
                        bytes(new)
                    )
                })
            }
            _ => {}
        }
    }
    for path in old_files
        .keys()
        .filter(|path| !new_files.contains_key(*path))
    {
        reasons.push(format!("file {path} is no longer read"));
    }
    reasons
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::reasons;

    #[test]
    fn each_changed_part_is_named() {
        let before = json!({
            "operator": "list_files@0.1.0",
            "args": {"dir": "\"in\"", "glob": "\"*.txt\""},
            "tables": {},
            "files": {"in/a.txt": {"bytes": 12, "hash": "aa"}, "in/b.txt": {"bytes": 3, "hash": "bb"}},
        });
        let now = json!({
            "operator": "list_files@0.2.0",
            "args": {"dir": "\"in\"", "glob": "\"*.md\""},
            "tables": {},
            "files": {"in/a.txt": {"bytes": 14, "hash": "ab"}, "in/b.txt": {"bytes": 3, "hash": "bc"}},
        });
        assert_eq!(
            reasons(&before, &now),
            [
                "operator list_files changed version (0.1.0 -> 0.2.0)",
                "argument glob: \"*.txt\" -> \"*.md\"",
                "file in/a.txt changed (12 -> 14 bytes)",
                "file in/b.txt changed (same size, 3 bytes)",
            ]
        );
        assert!(reasons(&now, &now).is_empty());
    }

    #[test]
    fn a_table_read_names_the_node_that_made_it() {
        let before = json!({"operator": "rows@1", "args": {"table": "{\"table made by\":\"k1\"}"}, "tables": {"table": "people"}});
        let now = json!({"operator": "rows@1", "args": {"table": "{\"table made by\":\"k2\"}"}, "tables": {"table": "people"}});
        assert_eq!(
            reasons(&before, &now),
            ["upstream table of node `people` changed"]
        );
    }
}
