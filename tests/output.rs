//! Where the site goes and what is left when things go wrong: leftovers of killed builds,
//! symlinked outputs, outputs that are mount points, a full disk. The last two use a tmpfs
//! mounted in a private user and mount namespace (`unshare -rm`); where that is not
//! allowed they say so and pass.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{copy_fixture, qiao, tree};

fn build(root: &Path, output: &Path) -> std::process::Output {
    qiao(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
        ],
        &[],
    )
}

fn ok(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Names in `dir` that look like staging directories or their lock files.
fn staging_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("qiao-staging"))
        .collect();
    v.sort();
    v
}

#[test]
fn a_killed_build_leaves_a_staging_directory_that_the_next_build_removes() {
    let site = copy_fixture("trilingual");
    // Enough pages that the build is still writing when it is killed.
    let bulk = site.path().join("content/bulk");
    std::fs::create_dir_all(&bulk).unwrap();
    for i in 0..1000 {
        std::fs::write(
            bulk.join(format!("p{i}.md")),
            format!("---\ntitle: 第{i}页\ndate: 2016-03-01\n---\n正文 {i}。\n"),
        )
        .unwrap();
    }
    let out = site.path().join("public");
    ok(&build(site.path(), &out));
    let before = tree(&out);

    let mut child = Command::new(env!("CARGO_BIN_EXE_qiao"))
        .args(["build", "--root", site.path().to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the staging directory (its marker is written first), then kill the build.
    let staged = loop {
        let dir = staging_names(site.path())
            .into_iter()
            .find(|n| !n.ends_with(".lock"))
            .map(|n| site.path().join(n));
        if let Some(d) = dir.filter(|d| d.join(".qiao-output").exists()) {
            break d;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the build ended before it could be killed"
        );
        std::thread::yield_now();
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(staged.join(".qiao-output").is_file());
    assert_eq!(
        staging_names(site.path()).len(),
        2,
        "directory and lock file"
    );
    assert_eq!(tree(&out), before);

    ok(&build(site.path(), &out));
    assert!(staging_names(site.path()).is_empty());
    assert_eq!(tree(&out), before);
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_stays_a_symlink_and_its_target_gets_the_site() {
    let site = copy_fixture("trilingual");
    let www = tempfile::tempdir().unwrap();
    let target = www.path().join("site");
    std::fs::create_dir(&target).unwrap();
    let link = site.path().join("public");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    ok(&build(site.path(), &link));
    std::fs::write(
        site.path().join("content/about.md"),
        "---\ntitle: 新的关于\n---\n新的正文。\n",
    )
    .unwrap();
    ok(&build(site.path(), &link));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let about = std::fs::read_to_string(target.join("about/index.html")).unwrap();
    assert!(about.contains("新的关于"));
    assert!(staging_names(www.path()).is_empty());
    assert!(staging_names(site.path()).is_empty());

    // A symlink to a directory that does not exist yet: the directory is made.
    let dangling = site.path().join("later");
    std::os::unix::fs::symlink(www.path().join("later"), &dangling).unwrap();
    ok(&build(site.path(), &dangling));
    assert!(www.path().join("later/about/index.html").is_file());
    assert!(
        std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

/// Runs a shell script as root of a private user and mount namespace, with `$QIAO` set;
/// `None` where such namespaces are not allowed.
fn in_namespace(script: &str) -> Option<std::process::Output> {
    let probe = Command::new("unshare")
        .args(["-rm", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: unshare -rm is not allowed here");
        return None;
    }
    let out = Command::new("unshare")
        .args(["-rm", "sh", "-euc", script])
        .env("QIAO", env!("CARGO_BIN_EXE_qiao"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Some(out)
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn a_mount_point_is_built_into_and_keeps_no_leftovers() {
    let site = copy_fixture("trilingual");
    let mnt = tempfile::tempdir().unwrap();
    let m = path(mnt.path());
    let r = path(site.path());
    // The mount lives only in the namespace: the checks run there too, and print the tree.
    let script = format!(
        "mount -t tmpfs none {m}
         $QIAO build --root {r} --output {m} >/dev/null 2>&1
         cp {r}/content/news/only-zh.md {r}/content/news/added.md
         rm {r}/content/about.md
         $QIAO build --root {r} --output {m} 2>/dev/null
         cd {m} && find . | sort"
    );
    let Some(out) = in_namespace(&script) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("built: "), "{stdout}");
    // the summary (and the line about drafts held back), then the tree
    let found: Vec<&str> = stdout.lines().filter(|l| l.starts_with('.')).collect();
    assert!(found.contains(&"./news/added/index.html"), "{found:?}");
    assert!(found.contains(&"./.qiao-output"));
    assert!(!found.iter().any(|f| f.starts_with("./about")), "{found:?}");
    assert!(!found.iter().any(|f| f.contains("staging")), "{found:?}");
    // The same files as a build into an ordinary directory.
    let plain = tempfile::tempdir().unwrap();
    let plain_out: PathBuf = plain.path().join("public");
    ok(&build(site.path(), &plain_out));
    let mut expected: Vec<String> = walk(&plain_out);
    expected.sort();
    assert_eq!(found, expected);
}

/// `find . | sort` of a directory, in Rust.
fn walk(dir: &Path) -> Vec<String> {
    let mut v = vec![".".to_string()];
    for e in walkdir::WalkDir::new(dir).min_depth(1) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
        v.push(format!("./{rel}"));
    }
    v.sort();
    v
}

#[test]
fn a_full_disk_is_one_error_naming_the_file_and_the_space_and_changes_nothing() {
    let site = copy_fixture("trilingual");
    let disk = tempfile::tempdir().unwrap();
    let d = path(disk.path());
    let r = path(site.path());
    // A first build fits; then a filler leaves 40 kB, less than the site needs.
    let script = format!(
        "mount -t tmpfs -o size=2m none {d}
         $QIAO build --root {r} --output {d}/public >/dev/null 2>&1
         find {d}/public -type f | sort | xargs md5sum > {d}/before
         avail=$(df -k --output=avail {d} | tail -1)
         dd if=/dev/zero of={d}/filler bs=1k count=$((avail - 40)) 2>/dev/null
         if $QIAO build --root {r} --output {d}/public; then echo built; fi
         find {d}/public -type f | sort | xargs md5sum | cmp - {d}/before && echo unchanged
         ls -A {d}"
    );
    let Some(out) = in_namespace(&script) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(
        errors[0].starts_with("error: no space left: cannot write "),
        "{stderr}"
    );
    assert!(
        errors[0].contains("the site needs at least ") && errors[0].contains(" of file contents"),
        "{stderr}"
    );
    assert!(errors[1].contains("1 error"), "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["unchanged", "before", "filler", "public"]
    );
}

#[test]
fn an_old_site_that_cannot_be_removed_is_a_warning_and_the_next_build_removes_it() {
    let site = copy_fixture("trilingual");
    let r = path(site.path());
    // A mount point inside the old site: it moves with the old site, which then cannot be
    // removed (EBUSY) until it is unmounted.
    let script = format!(
        "$QIAO build --root {r} >/dev/null 2>&1
         mount -t tmpfs none {r}/public/en
         $QIAO build --root {r}
         echo \"second: $(ls -A {r} | grep -c qiao-staging)\"
         umount {r}/.public.qiao-staging-*/en
         $QIAO build --root {r} >/dev/null 2>&1
         echo \"third: $(ls -A {r} | grep -c qiao-staging || true)\""
    );
    let Some(out) = in_namespace(&script) else {
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains(
            "warning: the new site is in place, but the previous one could not be removed from "
        ),
        "{stderr}"
    );
    assert!(stdout.contains("2 warnings"), "{stdout}");
    // The old site and its lock file stay after the second build, and go with the third.
    let counts: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("second") || l.starts_with("third"))
        .collect();
    assert_eq!(counts, ["second: 2", "third: 0"]);
    assert!(site.path().join("public/en/index.html").is_file());
}
