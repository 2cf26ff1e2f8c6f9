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
