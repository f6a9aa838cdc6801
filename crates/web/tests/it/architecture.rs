//! The shape of `web`: one folder per capability, shared plumbing (`http`)
//! and UI parts (`ui`) that import no capability, and no import circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules every other module may build on; they import no capability.
const SHARED: &[&str] = &["i18n", "http", "ui"];

/// Top-level module of `web` → the top-level modules its files name.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src");
            let first = relative.components().next().expect("a component");
            let module = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if module == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            let named = graph.entry(module.clone()).or_default();
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                let names: Vec<&str> = match rest.strip_prefix('{') {
                    Some(group) => group[..group.find('}').unwrap_or(0)]
                        .split(',')
                        .map(|name| name.trim().split("::").next().unwrap_or(""))
                        .collect(),
                    None => vec![
                        rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                            .next()
                            .unwrap_or(""),
                    ],
                };
                for name in names {
                    if !name.is_empty()
                        && name != module
                        && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    {
                        named.insert(name.to_string());
                    }
                }
            }
        }
    }
    graph
}

#[test]
fn shared_modules_import_no_capability() {
    let graph = imports();
    for shared in SHARED {
        let named = &graph[*shared];
        let allowed: &[&str] = match *shared {
            "i18n" => &[],
            "http" => &["i18n"],
            _ => &["i18n", "http"],
        };
        let extra: Vec<_> = named
            .iter()
            .filter(|n| !allowed.contains(&n.as_str()))
            .collect();
        assert!(extra.is_empty(), "{shared} imports {extra:?}");
    }
    // Only the route assembly names every capability.
    for (module, named) in &graph {
        assert!(
            module == "routes" || !named.contains("routes"),
            "{module} imports the route assembly"
        );
    }
}

#[test]
fn no_import_circle_between_modules() {
    let graph = imports();
    assert!(graph.len() >= 12, "found {:?}", graph.keys());
    // Depth-first search for a back edge, reporting the circle it closes.
    fn visit<'a>(
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        node: &'a str,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(at) = path.iter().position(|n| *n == node) {
            panic!("import circle: {}", path[at..].join(" → ") + " → " + node);
        }
        if !done.insert(node) {
            return;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            visit(graph, next, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        visit(&graph, node, &mut Vec::new(), &mut done);
    }
}
