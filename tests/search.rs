//! The search index end to end: tokenisation vectors shared with `search.js`, and the
//! index of a small trilingual site (files, determinism, ranking inputs, settings errors).

use std::path::{Path, PathBuf};

use qiao::search::tokenize::{Analyzer, terms};

fn vectors_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/search-vectors.json")
}

fn rust_terms(locale: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    terms(text, Analyzer::for_locale(locale), None, |t, _| {
        out.push(t.to_string())
    });
    out
}

/// `search.js` checks the same file (tests/e2e/search-vectors.js): both sides must cut text
/// into the same terms. `QIAO_BLESS_VECTORS=1` rewrites the expected terms from Rust.
#[test]
fn tokenisation_vectors_match_the_browser_side() {
    let text = std::fs::read_to_string(vectors_path()).unwrap();
    let mut vectors: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    if std::env::var_os("QIAO_BLESS_VECTORS").is_some() {
        for v in &mut vectors {
            let got = rust_terms(v["locale"].as_str().unwrap(), v["text"].as_str().unwrap());
            v["terms"] = serde_json::json!(got);
        }
        let lines: Vec<String> = vectors
            .iter()
            .map(|v| format!("  {}", serde_json::to_string(v).unwrap()))
            .collect();
        std::fs::write(vectors_path(), format!("[\n{}\n]\n", lines.join(",\n"))).unwrap();
        return;
    }
    for v in &vectors {
        let (locale, text) = (v["locale"].as_str().unwrap(), v["text"].as_str().unwrap());
        let want: Vec<&str> = v["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(rust_terms(locale, text), want, "{locale}: {text}");
    }
}

mod common;

/// A copy of the trilingual fixture with `[search]` settings appended and a few pages added.
fn site_with_search(settings: &str) -> tempfile::TempDir {
    let dir = common::copy_fixture("trilingual");
    let toml = dir.path().join("site.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str(&format!("\n[search]\n{settings}\n"));
    std::fs::write(&toml, text).unwrap();
    let add =
        |rel: &str, body: &str| std::fs::write(dir.path().join("content").join(rel), body).unwrap();
    add(
        "bases/xinhui.de.md",
        "---\ntitle: Industriestandort Xinhui\n---\nSchwerpunkt: Schienenverkehrstechnik in München.\n",
    );
    add(
        "bases/xinhui.md",
        "---\ntitle: 新会基地\n---\n新会重点发展轨道交通装备。\n",
    );
    add(
        "hidden.en.md",
        "---\ntitle: Not in search\nextra:\n  search: false\n---\nKaiping appears here too.\n",
    );
    dir
}

/// The postings of `term` in the index of `lang`: (page path, impact), from the files as
/// the browser reads them.
fn postings(public: &Path, lang: &str, term: &str) -> Vec<(String, u64)> {
    let dir = public.join("search-index").join(lang);
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap()
    };
    let manifest = read("index.json");
    let firsts: Vec<&str> = manifest["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    let utf16 = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
    let shard = firsts
        .iter()
        .rposition(|f| utf16(f) <= utf16(term))
        .unwrap_or(0);
    let rows = read(&format!("t{shard}.json"));
    let per = manifest["docs_per_shard"].as_u64().unwrap();
    let Some(row) = rows.as_array().unwrap().iter().find(|r| r[0] == term) else {
        return Vec::new();
    };
    let nums: Vec<u64> = row[1]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect();
    let mut doc = 0;
    nums.chunks(2)
        .map(|c| {
            doc += c[0];
            let meta = read(&format!("d{}.json", doc / per));
            let path = meta[(doc % per) as usize][1].as_str().unwrap().to_string();
            (path, c[1])
        })
        .collect()
}

#[test]
fn search_is_off_unless_enabled() {
    let built = common::build("trilingual");
    assert!(!built.exists("search-index"));
}

#[test]
fn index_per_language_is_deterministic() {
    let site = site_with_search("enabled = true");
    let a = common::build_root(site.path(), |_| {}).unwrap();
    let b = common::build_root(site.path(), |_| {}).unwrap();
    let index = |p: &Path| common::tree(&p.join("search-index"));
    let (ia, ib) = (index(&a.public()), index(&b.public()));
    assert_eq!(ia, ib, "two builds of the same site give the same index");
    for lang in ["zh", "en", "de"] {
        let m: serde_json::Value =
            serde_json::from_str(&a.read(&format!("search-index/{lang}/index.json"))).unwrap();
        assert_eq!(m["format"], 1);
        assert!(m["docs"].as_u64().unwrap() > 0, "{lang}: {m}");
        let shards: Vec<Vec<u16>> = m["shards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().encode_utf16().collect())
            .collect();
        assert!(
            shards.windows(2).all(|w| w[0] < w[1]),
            "{lang}: shards sorted"
        );
    }
    let de =
        serde_json::from_str::<serde_json::Value>(&a.read("search-index/de/index.json")).unwrap();
    assert_eq!(de["analyzer"], "de");
}

#[test]
fn terms_find_their_pages_in_their_language_only() {
    let site = site_with_search("enabled = true");
    let built = common::build_root(site.path(), |_| {}).unwrap();
    let public = built.public();
    // German: umlauts folded, light stemming; the compound is one term (prefix search in
    // the browser finds it from "Schienenverkehr").
    let muenchen = postings(&public, "de", "munch");
    assert_eq!(muenchen.len(), 1, "{muenchen:?}");
    assert_eq!(muenchen[0].0, "/de/bases/xinhui/");
    assert!(!postings(&public, "de", "schienenverkehrstechnik").is_empty());
    // Chinese: bigrams, and jieba's words of three or more characters.
    let zh = postings(&public, "zh", "轨道");
    assert_eq!(
        zh.iter().map(|p| p.0.as_str()).collect::<Vec<_>>(),
        ["/bases/xinhui/"]
    );
    // Pages marked `search: false` are left out; other languages are not mixed in.
    let kaiping = postings(&public, "en", "kaiping");
    assert!(
        kaiping
            .iter()
            .all(|(p, _)| p.starts_with("/en/") && p != "/en/hidden/"),
        "{kaiping:?}"
    );
    assert!(postings(&public, "en", "schienenverkehrstechnik").is_empty());
}

#[test]
fn title_words_weigh_more_than_body_words() {
    let site = site_with_search("enabled = true\ntitle_boost = 5");
    std::fs::write(
        site.path().join("content/bases/rail-a.en.md"),
        "---\ntitle: Rail\n---\nAbout the zone and its companies in Jiangmen.\n",
    )
    .unwrap();
    std::fs::write(
        site.path().join("content/bases/rail-b.en.md"),
        "---\ntitle: Companies\n---\nAbout the zone and its rail in Jiangmen.\n",
    )
    .unwrap();
    let built = common::build_root(site.path(), |_| {}).unwrap();
    let rail = postings(&built.public(), "en", "rail");
    let impact = |p: &str| rail.iter().find(|r| r.0 == p).map(|r| r.1).unwrap();
    assert!(
        impact("/en/bases/rail-a/") > impact("/en/bases/rail-b/"),
        "{rail:?}"
    );
}

#[test]
fn search_settings_are_validated() {
    let site = site_with_search("enabled = true\nshard_size = 1\nexcerpt_length = -3");
    let errs = common::build_root(site.path(), |_| {}).err().unwrap();
    let text: Vec<String> = errs.iter().map(|d| d.to_string()).collect();
    assert!(
        text.iter().any(|t| t.contains("`shard_size` in [search]")),
        "{text:#?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("`excerpt_length` in [search]")),
        "{text:#?}"
    );
    let site = site_with_search("enable = true");
    let errs = common::build_root(site.path(), |_| {}).err().unwrap();
    assert!(
        errs.iter()
            .any(|d| d.message.contains("unknown key `enable`")
                && d.hint.as_deref() == Some("did you mean `enabled`?")),
        "{errs:#?}"
    );
}
