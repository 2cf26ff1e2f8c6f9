//! What the `qiao` binary prints, beside what the library returns: every diagnostic of a
//! build exactly once, as [`qiao::diagnostics::Diagnostic::render`] shows it, in the order
//! of the build's report, whatever the number of threads (the binary renders them in
//! parallel and writes them in batches); and a failure's closing line after its errors.

mod common;

use common::{build_root, qiao, qiao_at};

/// A source page with `n` paragraphs that each hold a number, and an English translation
/// whose paragraphs hold none: `n` findings of the cross-language checks (more than one
/// batch of the printer when `n` is large).
fn site_with_findings(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        "base_url = \"https://example.org/\"\ndefault_language = \"zh\"\n\n\
         [languages.zh]\nname = \"中文\"\nlocale = \"zh-Hans\"\ntitle = \"合作区\"\n\n\
         [languages.en]\nname = \"English\"\nlocale = \"en\"\ntitle = \"The Zone\"\n",
    )
    .unwrap();
    let mut zh = String::from("---\ntitle: 合作区\n---\n");
    let mut en = String::from("---\ntitle: The Zone\n---\n");
    for i in 0..n {
        zh.push_str(&format!("\n合作区有{}家企业。\n", 1000 + i));
        en.push_str("\nThe zone has many companies.\n");
    }
    std::fs::write(root.join("content/zone.md"), zh).unwrap();
    std::fs::write(root.join("content/zone.en.md"), en).unwrap();
    dir
}

/// What the binary must print for these diagnostics: each rendered, then a line break.
fn rendered(ds: &[qiao::diagnostics::Diagnostic]) -> String {
    ds.iter()
        .map(|d| format!("{}\n", d.render(false)))
        .collect()
}

#[test]
fn every_warning_is_printed_once_in_the_reports_order_on_any_thread_count() {
    let site = site_with_findings(5000);
    let report = build_root(site.path(), |o| o.write = false).unwrap().report;
    assert_eq!(report.warnings.len(), 5000);
    let expected = rendered(&report.warnings);
    let r = site.path().to_str().unwrap();
    for threads in ["1", "3"] {
        let o = qiao(&["check", "--root", r], &[("RAYON_NUM_THREADS", threads)]);
        assert_eq!(o.status.code(), Some(0));
        let stderr = String::from_utf8(o.stderr).unwrap();
        assert!(
            stderr == expected,
            "{threads} threads: stderr differs from the rendered warnings ({} bytes, expected {})",
            stderr.len(),
            expected.len()
        );
        let stdout = String::from_utf8(o.stdout).unwrap();
        assert!(stdout.starts_with("checked: pages zh 1, en 1;"), "{stdout}");
        assert!(stdout.trim_end().ends_with(", 5000 warnings"), "{stdout}");
    }
}

#[test]
fn a_failed_build_prints_its_errors_then_one_closing_line() {
    let site = site_with_findings(3);
    let errors = build_root(site.path(), |o| o.strict = true).err().unwrap();
    assert_eq!(errors.len(), 3);
    let (code, stdout, stderr) = qiao_at(site.path(), &["build", "--strict"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "{}error: the site has 3 errors; nothing was written\n",
            rendered(&errors)
        )
    );
}

#[test]
fn a_command_error_is_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = qiao_at(dir.path(), &["translate", "content/x.md", "--to", "en"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    let error_lines = stderr.lines().filter(|l| l.starts_with("error")).count();
    assert_eq!(error_lines, 1, "{stderr}");
    assert!(stderr.starts_with("error"), "{stderr}");
}
