//! Helpers shared by the integration tests: fixture sites copied to temporary directories,
//! builds through the library and through the real binary, output trees read back.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use qiao::diagnostics::Diagnostic;
use qiao::{BuildOptions, BuildReport};

/// The path of a fixture site under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A fresh copy of a fixture site, so a test can change it.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A copy of the zone site (the repository's own sources: site.toml, content/, themes/,
/// i18n/, data/ and the stored revisions in .qiao/sources/), so a test can change it.
pub fn zone_copy() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for top in ["content", "themes", "i18n", "data", ".qiao/sources"] {
        if repo.join(top).exists() {
            copy_dir(&repo.join(top), &dir.path().join(top));
        }
    }
    std::fs::copy(repo.join("site.toml"), dir.path().join("site.toml")).unwrap();
    dir
}

/// A built site in a temporary directory.
pub struct Built {
    pub out: tempfile::TempDir,
    pub report: BuildReport,
}

impl Built {
    /// The text of an output file; panics with the list of files when it is missing.
    pub fn read(&self, rel: &str) -> String {
        let p = self.out.path().join("public").join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| {
            let files: Vec<String> = tree(&self.out.path().join("public")).into_keys().collect();
            panic!("cannot read {rel}: {e}\nfiles: {files:#?}")
        })
    }

    /// Whether an output file exists.
    pub fn exists(&self, rel: &str) -> bool {
        self.out.path().join("public").join(rel).exists()
    }

    /// The output directory.
    pub fn public(&self) -> PathBuf {
        self.out.path().join("public")
    }
}

/// Builds a site root into a fresh temporary output directory.
pub fn build_root(
    root: &Path,
    tweak: impl FnOnce(&mut BuildOptions),
) -> Result<Built, Vec<Diagnostic>> {
    let out = tempfile::tempdir().unwrap();
    let mut opts = BuildOptions::new(root);
    opts.output = Some(out.path().join("public"));
    tweak(&mut opts);
    let report = qiao::build(&opts)?;
    Ok(Built { out, report })
}

/// Builds a fixture by name.
pub fn build(name: &str) -> Built {
    build_root(&fixture(name), |_| {}).unwrap_or_else(|ds| {
        panic!(
            "{name} failed to build:\n{}",
            ds.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// Every file under `dir` with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    if !dir.exists() {
        return m;
    }
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            m.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    m
}

/// Runs the real `qiao` binary.
pub fn qiao(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_qiao"));
    c.args(args).env("NO_COLOR", "1");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Runs the real `qiao` binary on the site at `root` (`--root` added): exit code, stdout and
/// stderr.
pub fn qiao_at(root: &Path, args: &[&str]) -> (i32, String, String) {
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--root", root.to_str().unwrap()]);
    let o = qiao(&a, &[]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Builds the site at `root` into `out` with the real binary on `threads` rendering threads
/// (`RAYON_NUM_THREADS`), and fails the test with qiao's errors if the build fails.
pub fn build_with_threads(root: &Path, out: &Path, threads: &str) {
    let o = qiao(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ],
        &[("RAYON_NUM_THREADS", threads)],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Replaces `from` (which must be there) by `to` in the file at `rel` under `root`.
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} does not hold {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// The values of one attribute (`id`, `href`) on every start tag of an HTML page, in order.
/// A small reader of the HTML qiao writes: comments and the text of `<script>` and
/// `<style>` are skipped, values may be quoted with `"` or `'` or not at all.
pub fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let name_end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        let mut i = name_end;
        let b = rest.as_bytes();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !b"=>/".contains(&b[i]) {
                i += 1;
            }
            let attr = rest[start..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i] as char;
                    let end = rest[i + 1..].find(q).map_or(b.len(), |k| i + 1 + k);
                    value = rest[i + 1..end].to_string();
                    i = (end + 1).min(b.len());
                } else {
                    let v = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = rest[v..i].to_string();
                }
            }
            if attr == attribute {
                values.push(html_unescape(&value));
            }
        }
        rest = &rest[i.min(rest.len())..];
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = rest.find(&close).map_or("", |k| &rest[k..]);
        }
    }
    values
}

/// The text of an attribute value or XML element as written in the built files.
pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Decodes `%XX` escapes of a URL fragment (as a browser does before looking up the id).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Problems with the ids of every HTML page of a built site: an id defined twice in one
/// page, a `#fragment` link (in the page, or to another page of the site) that reaches no
/// id. Returns one line per problem.
pub fn id_problems(public: &Path) -> Vec<String> {
    let files = tree(public);
    let html: BTreeMap<&str, String> = files
        .iter()
        .filter(|(rel, _)| rel.ends_with(".html"))
        .map(|(rel, bytes)| (rel.as_str(), String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    let ids: BTreeMap<&str, Vec<String>> = html
        .iter()
        .map(|(rel, text)| (*rel, attribute_values(text, "id")))
        .collect();
    let mut problems = Vec::new();
    for (rel, page_ids) in &ids {
        let mut seen = std::collections::BTreeSet::new();
        for id in page_ids {
            if !seen.insert(id) {
                problems.push(format!("{rel}: id `{id}` defined twice"));
            }
        }
    }
    for (rel, text) in &html {
        for href in attribute_values(text, "href") {
            let Some((path, fragment)) = href.split_once('#') else {
                continue;
            };
            if fragment.is_empty() {
                continue;
            }
            let target = if path.is_empty() {
                rel.to_string()
            } else if let Some(dir) = path
                .strip_prefix('/')
                .filter(|p| p.is_empty() || p.ends_with('/'))
            {
                format!("{}index.html", percent_decode(dir))
            } else {
                continue;
            };
            let fragment = percent_decode(fragment);
            match ids.get(target.as_str()) {
                Some(t) if t.contains(&fragment) => {}
                Some(_) => problems.push(format!("{rel}: `{href}` reaches no id in {target}")),
                None => problems.push(format!("{rel}: `{href}` points at a missing page")),
            }
        }
    }
    problems
}

/// The `attention` entry of the translation at `rel` (`content/news/x.en.md`) in `qiao status
/// --json` on the site at `root`, if any.
pub fn attention(root: &Path, rel: &str) -> Option<serde_json::Value> {
    let o = qiao(&["status", "--json", "--root", root.to_str().unwrap()], &[]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    status["languages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["sections"].as_array().unwrap().iter())
        .flat_map(|s| s["attention"].as_array().unwrap().iter())
        .find(|p| p["translation"] == rel)
        .cloned()
}
