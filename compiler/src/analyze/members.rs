//! What a member declares and contributes: `Declares`, a member's shape
//! and check, the pipeline's scope of names, and `gather`, which puts a
//! pipeline's checked members together into its [`PipelineInfo`].

use super::*;

/// What a member declares, known before any member is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Declares {
    /// `input NAME: TYPE`
    Input { name: String, ty: Type },
    /// `secret NAME`
    Secret { name: String },
    /// `node NAME = callee(...)`: what one of its items is, and whether it makes many.
    Node {
        name: String,
        signature: Option<Signature>,
        item: Type,
        many: bool,
    },
    /// `output NAME = ...`
    Output,
    /// A member that did not parse; its name resolves to anything.
    #[default]
    Broken,
    /// A broken member with a keyword and a name.
    BrokenNamed {
        keyword: Option<String>,
        name: String,
    },
}

/// A member's declaration, with the diagnostics found while resolving it
/// (an unknown callee, an unknown type), spans relative to the member's piece.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MemberShape {
    pub(super) declares: Declares,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Which names a member's name must not clash with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Namespace {
    Input,
    Secret,
    Node,
    Output,
}

/// A member, checked: what it contributes to its pipeline, and its diagnostics,
/// spans relative to the member's piece (member indices are set when gathered).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct MemberCheck {
    pub(super) name: Option<(Namespace, Ident)>,
    pub(super) input: Option<InputInfo>,
    pub(super) secret: Option<String>,
    pub(super) node: Option<NodeInfo>,
    pub(super) output: Option<OutputInfo>,
    pub(super) used_inputs: Vec<String>,
    /// The member did not parse (its name, if any, is known; nothing else).
    pub(super) broken: bool,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// Gathers a pipeline's checked members (run by run, each run with its
/// piece's offset) into its [`PipelineInfo`] with absolute spans, and adds
/// what only the whole pipeline shows: names defined twice, inputs never
/// read, and the graph findings (whose locators become positions here).
pub(super) fn gather(
    file: &FileName,
    pipeline: &Ident,
    item: usize,
    runs: &[(u32, &[MemberCheck])],
    graph: &[Diagnostic],
    detail: Detail,
    diagnostics: &mut Vec<Diagnostic>,
) -> PipelineInfo {
    let full = detail == Detail::Full;
    let members: Vec<(u32, &MemberCheck)> = runs
        .iter()
        .flat_map(|&(offset, checks)| checks.iter().map(move |c| (offset, c)))
        .collect();
    let mut info = PipelineInfo {
        name: pipeline.name.clone(),
        item,
        inputs: Vec::new(),
        secrets: Vec::new(),
        nodes: Vec::new(),
        outputs: Vec::new(),
    };
    let mut seen: HashMap<(Namespace, &str), Span> = HashMap::with_capacity(members.len());
    let mut used: HashSet<&str> = HashSet::new();
    let shift_deps = |deps: &[Dep], offset: u32| -> Vec<Dep> {
        deps.iter()
            .map(|d| Dep {
                node: d.node.clone(),
                kind: d.kind,
                span: d.span.shifted(offset),
            })
            .collect()
    };
    for (index, &(offset, check)) in members.iter().enumerate() {
        for d in &check.diagnostics {
            let mut d = d.clone();
            d.shift(file, offset);
            diagnostics.push(d);
        }
        used.extend(check.used_inputs.iter().map(String::as_str));
        if let Some((namespace, name)) = &check.name {
            let span = name.span.shifted(offset);
            if let Some(first) = seen.get(&(*namespace, name.name.as_str())) {
                diagnostics.push(
                    Diagnostic::new(
                        codes::DUPLICATE_NAME,
                        format!(
                            "`{}` is defined twice in pipeline `{}`",
                            name.name, pipeline.name
                        ),
                        file,
                        span,
                    )
                    .with_label("defined again here")
                    .with_secondary(file, *first, "first defined here")
                    .with_help(
                        "two inputs, secrets, nodes or outputs of one pipeline cannot share a name",
                    ),
                );
            } else {
                seen.insert((*namespace, &name.name), span);
            }
        }
        if let Some(input) = &check.input
            && full
        {
            info.inputs.push(InputInfo {
                member: index,
                ..input.clone()
            });
        }
        if let Some(secret) = &check.secret
            && full
        {
            info.secrets.push(secret.clone());
        }
        if let Some(node) = &check.node
            && (full || matches!(node.callee, Some(Callee::Pipeline { .. })))
        {
            info.nodes.push(NodeInfo {
                name: node.name.clone(),
                callee: node.callee.clone(),
                item: node.item.clone(),
                many: node.many,
                returns_list: node.returns_list,
                optional_params: node.optional_params.clone(),
                path_params: node.path_params.clone(),
                deps: shift_deps(&node.deps, offset),
                binds: node.binds.clone(),
                member: index,
                span: node.span.shifted(offset),
            });
        }
        if let Some(output) = &check.output
            && full
        {
            info.outputs.push(OutputInfo {
                name: output.name.clone(),
                ty: output.ty.clone(),
                deps: shift_deps(&output.deps, offset),
                member: index,
            });
        }
    }
    // Inputs nothing reads (unknown when a member did not parse: it may read any).
    let reads_known = !members.iter().any(|(_, check)| check.broken);
    for &(offset, check) in &members {
        if reads_known
            && let (Some(input), Some((_, name))) = (&check.input, &check.name)
            && !used.contains(input.name.as_str())
        {
            diagnostics.push(
                Diagnostic::new(
                    codes::UNUSED_INPUT,
                    format!("input `{}` is never read", input.name),
                    file,
                    name.span.shifted(offset),
                )
                .with_label("declared here, read nowhere")
                .with_help(format!("read it as `input.{}`, or remove it", input.name)),
            );
        }
    }
    // Graph findings: locators to positions.
    let place = |span: Span| -> Span {
        let Some(&(offset, check)) = members.get(span.start as usize) else {
            return Span::default();
        };
        let relative = match (span.end.checked_sub(1), &check.node) {
            (None, Some(node)) => node.span,
            (Some(k), Some(node)) => node.deps.get(k as usize).map_or(node.span, |d| d.span),
            _ => Span::default(),
        };
        relative.shifted(offset)
    };
    for finding in graph {
        let mut d = finding.clone();
        d.primary.location.span = place(d.primary.location.span);
        for label in &mut d.secondary {
            label.location.span = place(label.location.span);
        }
        diagnostics.push(d);
    }
    info
}

/// The `each`/`group` context of the node whose expressions are being typed.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeContext {
    /// `each SRC`
    pub each: Option<String>,
    /// `group A, B`
    pub group: Vec<String>,
}

/// The names of the pipeline being checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PipelineScope {
    pub(super) inputs: HashMap<String, Type>,
    pub(super) secrets: HashSet<String>,
    pub(super) nodes: HashMap<String, (Type, bool)>,
}

impl PipelineScope {
    /// The names the members declare; the first of a name defined twice wins.
    pub(super) fn from_declares<'a>(
        declares: impl Iterator<Item = &'a Declares> + Clone,
    ) -> PipelineScope {
        let mut scope = PipelineScope::default();
        for declared in declares.clone() {
            match declared {
                Declares::Input { name, ty } => {
                    scope
                        .inputs
                        .entry(name.clone())
                        .or_insert_with(|| ty.clone());
                }
                Declares::Secret { name } => {
                    scope.secrets.insert(name.clone());
                }
                Declares::Node {
                    name, item, many, ..
                } => {
                    scope
                        .nodes
                        .entry(name.clone())
                        .or_insert_with(|| (item.clone(), *many));
                }
                _ => {}
            }
        }
        // A broken member's name still resolves, to anything, in its namespace:
        // its own syntax error is enough.
        for declared in declares {
            if let Declares::BrokenNamed { keyword, name } = declared {
                match keyword.as_deref() {
                    Some("input") => {
                        scope.inputs.entry(name.clone()).or_insert(Type::Any);
                    }
                    Some("secret") => {
                        scope.secrets.insert(name.clone());
                    }
                    Some("output") => {}
                    _ => {
                        scope
                            .nodes
                            .entry(name.clone())
                            .or_insert((Type::Any, false));
                    }
                }
            }
        }
        scope
    }
}
