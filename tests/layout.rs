//! The layout of `src/`: the top-level modules of the library (a file `src/x.rs` or a
//! directory `src/x/`) import one another without cycles, so that each can be read, tested
//! and changed knowing only the modules below it (README.md, "Source layout").
//!
//! The imports are read from the sources themselves: every `crate::x` path (in `use`
//! declarations, in expressions, in macro calls, `$crate::x` included) and every `super::`
//! path that climbs to the crate root, outside comments, doc comments and `#[cfg(test)]`
//! items (a test may build a whole site to check a leaf). The binary's own modules
//! (`main.rs`, `cmd/`) are a separate crate on top of the library and are not read.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Modules that depend on nothing of the site: no other module's types, only each other.
const LEAVES: &[&str] = &[
    "diagnostics",
    "format",
    "ident",
    "markup",
    "output",
    "text",
    "tokenize",
    "trace",
    "url",
    "xml",
];

/// Where one top-level module names another: the file, the line, the path as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    file: String,
    line: usize,
    path: String,
}

/// Top-level module → the top-level modules it names, each with where it first does.
type Graph = BTreeMap<String, BTreeMap<String, Use>>;

/// The import graph of the library's sources under `src/`.
fn graph_of_src() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    for e in walkdir::WalkDir::new(&src).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(&src).unwrap();
        let rel = rel.to_str().unwrap().replace('\\', "/");
        if e.file_type().is_file() && rel.ends_with(".rs") {
            files.insert(rel, std::fs::read_to_string(e.path()).unwrap());
        }
    }
    graph(&files)
}

/// The import graph of `files` (paths relative to `src/` → source text).
fn graph(files: &BTreeMap<String, String>) -> Graph {
    let mut test_only = BTreeSet::new();
    let mut scans = BTreeMap::new();
    for (rel, text) in files {
        let tokens = TokenStream::from_str(text)
            .unwrap_or_else(|e| panic!("src/{rel} does not lex as Rust: {e:?}"));
        let mut scan = Scan::default();
        scan.stream(tokens, &module_path(rel));
        for m in &scan.test_mods {
            let dir = module_dir(rel);
            test_only.insert(format!("{dir}{m}.rs"));
            test_only.insert(format!("{dir}{m}/"));
        }
        scans.insert(rel.clone(), scan.uses);
    }
    let mut g = Graph::new();
    for (rel, uses) in scans {
        let Some(top) = top_level(&rel) else { continue };
        // A file of a module that only tests declare (`#[cfg(test)] mod x;`), or below one.
        if test_only
            .iter()
            .any(|t| rel == *t || t.ends_with('/') && rel.starts_with(t.as_str()))
        {
            continue;
        }
        let deps = g.entry(top.clone()).or_default();
        for (target, line, path) in uses {
            if target != top {
                deps.entry(target).or_insert(Use {
                    file: format!("src/{rel}"),
                    line,
                    path,
                });
            }
        }
    }
    g
}

/// The top-level module a file belongs to; `None` for the crate roots and the binary.
fn top_level(rel: &str) -> Option<String> {
    let first = rel.split('/').next()?;
    if rel == "lib.rs" || rel == "main.rs" || first == "cmd" {
        return None;
    }
    Some(first.trim_end_matches(".rs").to_string())
}

/// The module path of a file: `model/derive.rs` is `[model, derive]`, `model/mod.rs` is
/// `[model]`, `lib.rs` is `[]`.
fn module_path(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    let last = parts.pop().unwrap_or_default();
    if last != "mod.rs" && last != "lib.rs" && last != "main.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

/// Where the files of a file's child modules are: `model/mod.rs` and `model.rs` → `model/`.
fn module_dir(rel: &str) -> String {
    let path = module_path(rel);
    if path.is_empty() {
        String::new()
    } else {
        format!("{}/", path.join("/"))
    }
}

/// What one file names: (top-level module, line, path as written), and the child modules it
/// declares under `#[cfg(test)]` in files of their own.
#[derive(Default)]
struct Scan {
    uses: Vec<(String, usize, String)>,
    test_mods: Vec<String>,
}

impl Scan {
    /// Reads the items of a module at `path` (the module path of the file, plus inline
    /// modules).
    fn stream(&mut self, tokens: TokenStream, path: &[String]) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            // `#[cfg(test)] item`: skip the attributes and the item.
            if is_cfg_test(&tokens, i) {
                i += 2;
                while matches!(&tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
                    i += 2;
                }
                if let (Some(TokenTree::Ident(m)), Some(TokenTree::Ident(name))) =
                    (tokens.get(i), tokens.get(i + 1))
                    && m == "mod"
                    && matches!(tokens.get(i + 2), Some(TokenTree::Punct(p)) if p.as_char() == ';')
                {
                    self.test_mods.push(name.to_string());
                }
                while i < tokens.len() {
                    match &tokens[i] {
                        TokenTree::Punct(p) if p.as_char() == ';' => break,
                        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                continue;
            }
            // An inline module: its `super::` is one level deeper.
            if let (
                Some(TokenTree::Ident(m)),
                Some(TokenTree::Ident(name)),
                Some(TokenTree::Group(g)),
            ) = (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
                && m == "mod"
                && g.delimiter() == Delimiter::Brace
            {
                let mut inner = path.to_vec();
                inner.push(name.to_string());
                self.stream(g.stream(), &inner);
                i += 3;
                continue;
            }
            self.path_at(&tokens, i, path);
            if let TokenTree::Group(g) = &tokens[i] {
                self.stream(g.stream(), path);
            }
            i += 1;
        }
    }

    /// Records the path that starts at `tokens[i]` if it is `crate::x`, `$crate::x`,
    /// `crate::{x, y::z}` or a `super::` chain that climbs to the crate root.
    fn path_at(&mut self, tokens: &[TokenTree], i: usize, path: &[String]) {
        let TokenTree::Ident(first) = &tokens[i] else {
            return;
        };
        let line = first.span().start().line;
        // A path segment after `::` is not the start of a path (`a::crate` is not one).
        if i >= 1 && is_punct(&tokens[i - 1], ':') {
            return;
        }
        let mut j = i;
        let mut depth = 0usize;
        if first == "crate" {
            j += 1;
        } else {
            while matches!(&tokens.get(j), Some(TokenTree::Ident(s)) if s == "super") {
                depth += 1;
                if !is_path_sep(tokens, j + 1) {
                    return;
                }
                j += 3;
            }
            // `super::x` below the top level names the top-level module itself.
            if depth == 0 || depth < path.len() {
                return;
            }
            j -= 2;
        }
        if !is_path_sep(tokens, j) {
            return;
        }
        let written = |name: &str| {
            let prefix = if first == "crate" {
                "crate".to_string()
            } else {
                vec!["super"; depth].join("::")
            };
            format!("{prefix}::{name}")
        };
        match tokens.get(j + 2) {
            Some(TokenTree::Ident(name)) if name != "self" => {
                self.uses
                    .push((name.to_string(), line, written(&name.to_string())));
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                let items: Vec<TokenTree> = g.stream().into_iter().collect();
                let mut at_start = true;
                for t in &items {
                    match t {
                        TokenTree::Ident(name) if at_start && name != "self" => {
                            self.uses
                                .push((name.to_string(), line, written(&name.to_string())));
                            at_start = false;
                        }
                        TokenTree::Punct(p) if p.as_char() == ',' => at_start = true,
                        _ => at_start = false,
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_punct(t: &TokenTree, c: char) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == c)
}

/// `::` at `tokens[j]`.
fn is_path_sep(tokens: &[TokenTree], j: usize) -> bool {
    matches!((tokens.get(j), tokens.get(j + 1)),
        (Some(a), Some(b)) if is_punct(a, ':') && is_punct(b, ':'))
}

/// `#[cfg(test)]` at `tokens[i]`.
fn is_cfg_test(tokens: &[TokenTree], i: usize) -> bool {
    let (Some(hash), Some(TokenTree::Group(g))) = (tokens.get(i), tokens.get(i + 1)) else {
        return false;
    };
    is_punct(hash, '#')
        && g.delimiter() == Delimiter::Bracket
        && g.stream().to_string().replace(' ', "") == "cfg(test)"
}

/// The shortest cycle through each module that is on one, as the modules in order (the
/// first repeated at the end), each cycle once.
fn cycles(g: &Graph) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<String>> = Vec::new();
    for start in g.keys() {
        // The shortest path back to `start`, by breadth-first search.
        let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start.as_str()]);
        let mut closing = None;
        'search: while let Some(m) = queue.pop_front() {
            for next in g.get(m).into_iter().flat_map(|d| d.keys()) {
                if next == start {
                    closing = Some(m);
                    break 'search;
                }
                if !prev.contains_key(next.as_str()) {
                    prev.insert(next, m);
                    queue.push_back(next);
                }
            }
        }
        let Some(mut m) = closing else { continue };
        let mut back = Vec::new();
        while m != start {
            back.push(m.to_string());
            m = prev[m];
        }
        back.reverse();
        let mut cycle = vec![start.clone()];
        cycle.extend(back);
        // The same cycle found from another of its modules starts at its smallest name.
        let least = (0..cycle.len()).min_by_key(|&i| &cycle[i]).unwrap_or(0);
        cycle.rotate_left(least);
        cycle.push(cycle[0].clone());
        if !found.contains(&cycle) {
            found.push(cycle);
        }
    }
    found
}

/// A cycle as a report: each step with the file and line where it is made.
fn explain(g: &Graph, cycle: &[String]) -> String {
    let mut s = format!("import cycle: {}\n", cycle.join(" -> "));
    for w in cycle.windows(2) {
        let u = &g[&w[0]][&w[1]];
        s += &format!(
            "  {} -> {}: {}:{} names `{}`\n",
            w[0], w[1], u.file, u.line, u.path
        );
    }
    s
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let g = graph_of_src();
    // The scan sees the pipeline at all: the model imports the config.
    assert!(g["model"].contains_key("config"), "{g:#?}");
    let report: String = cycles(&g).iter().map(|c| explain(&g, c)).collect();
    assert!(
        report.is_empty(),
        "{report}Move the item that is in the wrong place to the lower module (or pass it in \
         as a value), so that imports go one way; the order is described in README.md, \
         \"Source layout\"."
    );
}

#[test]
fn leaves_import_only_leaves() {
    let g = graph_of_src();
    for leaf in LEAVES {
        assert!(g.contains_key(*leaf), "no module `{leaf}` under src/");
        for (dep, u) in &g[*leaf] {
            assert!(
                LEAVES.contains(&dep.as_str()),
                "`{leaf}` is a leaf but {}:{} names `{}`",
                u.file,
                u.line,
                u.path
            );
        }
    }
}

#[test]
fn the_build_knows_nothing_of_serve() {
    let g = graph_of_src();
    for (m, deps) in &g {
        if m != "serve"
            && let Some(u) = deps.get("serve")
        {
            panic!("`{m}` names `serve` at {}:{}: `{}`", u.file, u.line, u.path);
        }
    }
}

// The scan itself, on small sources.

fn graph_of(files: &[(&str, &str)]) -> Graph {
    graph(
        &files
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
    )
}

fn deps(g: &Graph, m: &str) -> Vec<String> {
    g.get(m)
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

#[test]
fn scan_reads_paths_and_not_comments_strings_or_tests() {
    let g = graph_of(&[(
        "a.rs",
        "//! Uses [`crate::doc`].\n\
         use crate::b::{X, Y};\n\
         use crate::{c, d::e as f, self};\n\
         /// [`crate::docs`]\n\
         fn g() -> u8 { let s = \"crate::string\"; /* crate::block */ crate::h::k(); format!(\"{}\", crate::m::N) }\n\
         #[cfg(test)]\n\
         mod tests { use crate::t; }\n\
         #[cfg(test)]\n\
         use crate::tu;\n\
         macro_rules! q { () => { $crate::mac::f() } }\n\
         const P: u8 = crate::a::OWN;\n",
    )]);
    assert_eq!(deps(&g, "a"), ["b", "c", "d", "h", "m", "mac"]);
    assert_eq!(g["a"]["h"].line, 5);
    assert_eq!(g["a"]["h"].file, "src/a.rs");
}

#[test]
fn scan_follows_super_to_the_crate_root_and_skips_test_files() {
    let g = graph_of(&[
        ("a/mod.rs", "mod b;\n#[cfg(test)]\nmod t;\nuse super::z;\n"),
        (
            "a/b.rs",
            "use super::c;\nuse super::super::y::Q;\nmod inner { use super::super::super::x; }\n",
        ),
        ("a/t.rs", "use crate::w;\n"),
        ("lib.rs", "pub mod a;\nuse crate::a;\n"),
        ("cmd/mod.rs", "use crate::v;\n"),
    ]);
    assert_eq!(deps(&g, "a"), ["x", "y", "z"]);
    assert_eq!(g["a"]["y"].path, "super::super::y");
    assert_eq!(g.keys().collect::<Vec<_>>(), ["a"]);
}

#[test]
fn cycles_are_found_and_named_with_their_files() {
    let g = graph_of(&[
        ("a.rs", "use crate::b::X;\n"),
        ("b.rs", "\nuse crate::c::Y;\n"),
        ("c.rs", "use crate::a::Z;\nuse crate::d::W;\n"),
        ("d.rs", "use crate::e::V;\n"),
        ("e.rs", "use crate::d::U;\n"),
        ("f.rs", "use crate::a::T;\n"),
    ]);
    let found = cycles(&g);
    assert_eq!(found, [vec!["a", "b", "c", "a"], vec!["d", "e", "d"]]);
    // A module on two cycles: each is named.
    let two = graph_of(&[
        ("a.rs", "use crate::b::X;\nuse crate::c::Y;\n"),
        ("b.rs", "use crate::a::Z;\n"),
        ("c.rs", "use crate::a::W;\n"),
    ]);
    assert_eq!(cycles(&two), [vec!["a", "b", "a"], vec!["a", "c", "a"]]);
    let text = explain(&g, &found[0]);
    assert!(
        text.contains("b -> c: src/b.rs:2 names `crate::c`"),
        "{text}"
    );
    let acyclic = graph_of(&[
        ("a.rs", "use crate::b::X;\n"),
        ("b.rs", "use crate::c::Y;\n"),
    ]);
    assert!(cycles(&acyclic).is_empty());
}
