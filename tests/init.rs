//! `qiao init` and `qiao new` as a new user runs them: transcripts of the commands, and the
//! site they make checked with `qiao check --strict` and `qiao status --strict`.

mod common;

use common::qiao;
use std::path::Path;

fn run(args: &[&str]) -> (i32, String, String) {
    let o = qiao(args, &[]);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn init_makes_a_trilingual_site_that_passes_every_check() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mysite");
    let d = dir.to_str().unwrap();
    let (code, out, err) = run(&["init", d]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("created a site in {d} (")),
        "{out}"
    );
    // the next three commands
    for cmd in [
        format!("cd {d}"),
        "qiao serve --open".into(),
        "qiao new news/my-article".into(),
        "qiao build".into(),
    ] {
        assert!(
            out.contains(&format!("  {cmd}")),
            "{cmd} missing in:\n{out}"
        );
    }
    for f in [
        "site.toml",
        "content/_index.md",
        "content/_index.en.md",
        "content/_index.de.md",
        "content/news/_index.md",
        "content/news/welcome.md",
        "content/news/welcome.en.md",
        "content/news/welcome.de.md",
        "i18n/zh/site.ftl",
        "i18n/en/site.ftl",
        "i18n/de/site.ftl",
        ".github/workflows/site.yml",
    ] {
        assert!(dir.join(f).is_file(), "{f} not written");
    }
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/public/"), "{ignore}");
    assert!(ignore.lines().any(|l| l == "/.qiao/cache/"), "{ignore}");

    let (code, out, err) = run(&["check", "--strict", "--root", d]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("checked: pages zh 1, en 1, de 1;"), "{out}");
    assert!(err.is_empty(), "no warnings expected: {err}");
    // the translations start as current, not untracked or stale
    let (code, out, err) = run(&["status", "--strict", "--root", d, "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let st: serde_json::Value = serde_json::from_str(&out).unwrap();
    for lang in st["languages"].as_array().unwrap() {
        let total = &lang["total"];
        assert_eq!(total["pages"], 3, "{lang}");
        assert_eq!(total["current"], 3, "{lang}");
        assert_eq!(total["stale"], 0, "{lang}");
    }

    let (code, _, err) = run(&["build", "--root", d]);
    assert_eq!(code, 0, "{err}");
    for page in ["index.html", "en/index.html", "de/news/welcome/index.html"] {
        assert!(dir.join("public").join(page).is_file(), "{page}");
    }
}

#[test]
fn init_takes_the_languages_and_default_it_is_given() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("s");
    let (code, _, err) = run(&[
        "init",
        d.to_str().unwrap(),
        "--languages",
        "en,de",
        "--default",
        "de",
    ]);
    assert_eq!(code, 0, "{err}");
    let toml = std::fs::read_to_string(d.join("site.toml")).unwrap();
    assert!(toml.contains("default_language = \"de\""), "{toml}");
    let de = toml.find("[languages.de]").unwrap();
    let en = toml.find("[languages.en]").unwrap();
    assert!(de < en, "the default language comes first");
    assert!(d.join("content/news/welcome.md").is_file());
    assert!(d.join("content/news/welcome.en.md").is_file());
    let (code, out, err) = run(&["check", "--strict", "--root", d.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");

    let (code, _, err) = run(&[
        "init",
        tmp.path().join("t").to_str().unwrap(),
        "--default",
        "fr",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("`fr` is not one of --languages zh,en,de"),
        "{err}"
    );
}

#[test]
fn init_never_overwrites_and_refuses_a_site_or_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("notes.txt"), "mine").unwrap();
    let ds = d.to_str().unwrap();
    let (code, _, err) = run(&["init", ds]);
    assert_eq!(code, 1);
    assert!(err.contains("is not empty"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(!d.join("site.toml").exists());

    // --force adds a site beside the files there, but never over one of them
    std::fs::create_dir_all(d.join("content/news")).unwrap();
    std::fs::write(d.join("content/news/welcome.en.md"), "my own").unwrap();
    let (code, _, err) = run(&["init", ds, "--force"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("content/news/welcome.en.md exists already"),
        "{err}"
    );
    assert!(!d.join("site.toml").exists(), "nothing is written");
    std::fs::remove_file(d.join("content/news/welcome.en.md")).unwrap();
    let (code, _, err) = run(&["init", ds, "--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("notes.txt")).unwrap(),
        "mine"
    );

    // a directory that holds a site is refused even with --force
    let before = std::fs::read_to_string(d.join("site.toml")).unwrap();
    let (code, _, err) = run(&["init", ds, "--force"]);
    assert_eq!(code, 1);
    assert!(err.contains("holds a site already"), "{err}");
    assert_eq!(
        std::fs::read_to_string(d.join("site.toml")).unwrap(),
        before
    );
}

#[test]
fn new_writes_what_an_editor_expects() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ds = d.to_str().unwrap();
    assert_eq!(run(&["init", ds]).0, 0);
    let read = |rel: &str| std::fs::read_to_string(d.join("content").join(rel)).unwrap();

    let (code, out, err) = run(&["new", "News/Big Title", "--root", ds]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("clean URL segment"), "{out}");
    assert!(read("news/big-title.md").starts_with("---\ntitle: \"Big Title\"\ndate: "));

    // a page bundle, not a hidden `gallery/.md`
    assert_eq!(run(&["new", "news/gallery/", "--root", ds]).0, 0);
    assert!(read("news/gallery/index.md").starts_with("---\ntitle: \"Gallery\"\n"));

    // a section is never a draft, and its title comes from its directory
    assert_eq!(run(&["new", "events/_index", "--root", ds]).0, 0);
    assert_eq!(read("events/_index.md"), "---\ntitle: \"Events\"\n---\n\n");

    // the same path forms as qiao translate, the language in the name included
    for form in ["news/one", "news/two.md", "content/news/three.md"] {
        assert_eq!(run(&["new", form, "--root", ds]).0, 0, "{form}");
    }
    assert_eq!(run(&["new", "content/news/one.en.md", "--root", ds]).0, 0);
    assert!(d.join("content/news/one.en.md").is_file());
    let (code, _, err) = run(&["new", "news/one", "--root", ds]);
    assert_eq!(code, 1);
    assert!(err.contains("content/news/one.md exists already"), "{err}");

    // qiao translate accepts `news/x` too
    let (code, out, err) = run(&["translate", "news/two", "--to", "de", "--root", ds]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(Path::new(&d.join("content/news/two.de.md")).is_file());

    // every scaffold builds: drafts with --drafts, the section without
    let (code, out, err) = run(&["check", "--root", ds, "--drafts"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run(&["build", "--root", ds]);
    assert_eq!(code, 0, "{err}");
    assert!(d.join("public/events/index.html").is_file());
    assert!(
        !d.join("public/news/big-title/index.html").exists(),
        "a draft"
    );
}

#[test]
fn new_refuses_a_bundle_that_would_take_a_sections_address() {
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().to_str().unwrap();
    assert_eq!(run(&["init", ds]).0, 0);
    let (code, _, err) = run(&["new", "news/", "--root", ds]);
    assert_eq!(code, 1);
    assert!(err.contains("content/news/ is a section"), "{err}");
    assert!(err.contains("qiao new news/my-article"), "{err}");
    assert!(!tmp.path().join("content/news/index.md").exists());
    // a check that fails says so without claiming to write
    std::fs::write(
        tmp.path().join("content/news/bad.md"),
        "---\ntitle: [x\n---\n",
    )
    .unwrap();
    let (code, _, err) = run(&["check", "--root", ds]);
    assert_eq!(code, 1);
    assert!(
        err.ends_with("error: the site has 1 error; fix it and check again\n"),
        "{err}"
    );
}
