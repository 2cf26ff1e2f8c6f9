//! What `qiao serve` reads when files change under it: every path goes through the build's
//! own rule (inside the tree after resolving links, a regular file, a UTF-8 name, not
//! ignored; see `qiao::content::files`), so that links out of the site, special files,
//! endless files, whole directories moved or deleted, and names that are not UTF-8 give
//! exactly what a clean build of the same sources gives, and never block the watcher.
#![cfg(unix)]

mod serve_support;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::Path;

use serve_support::*;

/// Waits for the server, then checks that it serves exactly a clean build's output (or,
/// when the sources have errors, reports exactly the clean build's errors).
fn assert_like_clean_build(server: &qiao::serve::Server, root: &Path, what: &str) {
    sync(server);
    let status = server.status();
    match clean_build(root, server.base_url()) {
        Ok(clean) => {
            assert!(status.errors.is_empty(), "{what}: {:?}", status.errors);
            let d = differences(&tree(server.site_dir()), &clean);
            assert!(d.is_empty(), "{what}: {d:#?}");
        }
        Err(errors) => {
            let served: Vec<String> = status.errors.iter().map(|d| d.to_string()).collect();
            assert_eq!(served, errors, "{what}");
        }
    }
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn symlinks_created_while_serving_follow_the_builds_rules() {
    let site = copy_fixture("trilingual");
    let root = site.path().canonicalize().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.txt");
    fs::write(&secret, "body { content: 'the secret' }\n").unwrap();
    let page = outside.path().join("page.md");
    fs::write(&page, "---\ntitle: Outside\n---\nfrom outside the site\n").unwrap();
    let server = start(&root);
    let addr = server.addr();
    assert_eq!(get(addr, "/site.css").status, 200);

    // What `git checkout` of a branch with a symlink does: the file becomes a link.
    fs::remove_file(root.join("static/site.css")).unwrap();
    symlink(&secret, root.join("static/site.css")).unwrap();
    assert_like_clean_build(&server, &root, "static file replaced by a link out");
    let r = get(addr, "/site.css");
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("the secret"));

    // A page replaced by a link to Markdown outside the site, and a new one.
    fs::remove_file(root.join("content/about.md")).unwrap();
    symlink(&page, root.join("content/about.md")).unwrap();
    symlink(&page, root.join("content/leak.md")).unwrap();
    assert_like_clean_build(&server, &root, "pages that link out");
    assert_eq!(get(addr, "/about/").status, 404);
    assert_eq!(get(addr, "/leak/").status, 404);

    // An edit of the file outside changes nothing served.
    fs::write(&page, "---\ntitle: Outside 2\n---\nstill outside\n").unwrap();
    assert_like_clean_build(&server, &root, "edit outside");

    // A link inside the tree is followed, as the build follows it.
    fs::remove_file(root.join("content/about.md")).unwrap();
    symlink(
        root.join("content/bases/enping.md"),
        root.join("content/about.md"),
    )
    .unwrap();
    assert_like_clean_build(&server, &root, "a link inside content/");
    assert_eq!(get(addr, "/about/").status, 200);
    // ... and a directory that becomes a link to one outside is not entered.
    fs::rename(root.join("content/bases"), outside.path().join("bases")).unwrap();
    symlink(outside.path().join("bases"), root.join("content/bases")).unwrap();
    assert_like_clean_build(&server, &root, "a directory linked out");
    assert!(!server.status().errors.is_empty(), "links to bases/ break");
}

#[test]
fn links_to_directories_outside_are_not_watched() {
    let site = copy_fixture("trilingual");
    let root = site.path().canonicalize().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let linked = outside.path().join("linked");
    write(linked.join("x.md"), "---\ntitle: X\n---\nx\n");
    symlink(&linked, root.join("content/linked")).unwrap();
    let server = start(&root);
    sync(&server);
    let builds = server.status().build;
    // Changes outside the site do not rebuild (the build does not enter the link).
    write(linked.join("x.md"), "---\ntitle: X\n---\nchanged\n");
    write(linked.join("y.md"), "---\ntitle: Y\n---\ny\n");
    sync(&server);
    assert_eq!(server.status().build, builds, "a change outside rebuilt");
    assert_like_clean_build(&server, &root, "a link to a directory outside");
    assert_eq!(get(server.addr(), "/linked/x/").status, 404);
}

#[test]
fn special_and_endless_files_never_block_and_are_skipped() {
    let site = copy_fixture("trilingual");
    let root = site.path().canonicalize().unwrap();
    let server = start(&root);
    let addr = server.addr();

    mkfifo(&root.join("content/pipe.md"));
    mkfifo(&root.join("static/pipe.css"));
    symlink("/dev/zero", root.join("static/zero.css")).unwrap();
    symlink("/dev/zero", root.join("content/zero.md")).unwrap();
    assert_like_clean_build(&server, &root, "new special files");
    assert_eq!(get(addr, "/pipe.css").status, 404);
    assert_eq!(get(addr, "/zero.css").status, 404);

    // A known page and a known static file become a FIFO and an endless file: reading
    // them as before the change would block the watcher for ever.
    fs::remove_file(root.join("content/about.md")).unwrap();
    mkfifo(&root.join("content/about.md"));
    fs::remove_file(root.join("static/site.css")).unwrap();
    symlink("/dev/zero", root.join("static/site.css")).unwrap();
    assert_like_clean_build(&server, &root, "known files become special");
    assert_eq!(get(addr, "/about/").status, 404);
    assert_eq!(get(addr, "/site.css").status, 404);

    // The build names each skipped file in a warning.
    let mut opts = qiao::BuildOptions::new(&root);
    opts.write = false;
    let report = qiao::build(&opts).expect("the site builds");
    let mut warned: Vec<String> = report
        .warnings
        .iter()
        .filter(|d| d.message.starts_with("skipped"))
        .filter_map(|d| Some(d.path.as_ref()?.display().to_string()))
        .collect();
    warned.sort();
    assert_eq!(
        warned,
        [
            "content/about.md",
            "content/pipe.md",
            "content/zero.md",
            "static/pipe.css",
            "static/site.css",
            "static/zero.css"
        ]
    );

    // Back to a regular file: served again.
    fs::remove_file(root.join("content/about.md")).unwrap();
    write(
        root.join("content/about.md"),
        "---\ntitle: 关于\n---\n又回来了\n",
    );
    assert_like_clean_build(&server, &root, "regular again");
    assert!(get(addr, "/about/").text().contains("又回来了"));

    // site.toml itself: an error, never a hang, and the last good site stays served.
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::remove_file(root.join("site.toml")).unwrap();
    mkfifo(&root.join("site.toml"));
    assert_like_clean_build(&server, &root, "site.toml is a FIFO");
    let errors = server.status().errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.contains("not a regular file"),
        "{errors:?}"
    );
    assert!(get(addr, "/about/").text().contains("又回来了"));
    fs::remove_file(root.join("site.toml")).unwrap();
    fs::write(root.join("site.toml"), toml).unwrap();
    assert_like_clean_build(&server, &root, "site.toml back");
    assert!(server.status().errors.is_empty());
}

#[test]
fn directories_moved_or_deleted_while_serving_leave_the_site() {
    let site = copy_fixture("trilingual");
    let root = site.path().canonicalize().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let server = start(&root);
    let addr = server.addr();
    assert_eq!(get(addr, "/news/unveiling/").status, 200);

    // Moved out of the site: one event, for the directory.
    fs::rename(root.join("content/news"), elsewhere.path().join("news")).unwrap();
    assert_like_clean_build(&server, &root, "content/news moved out");
    assert_eq!(get(addr, "/news/unveiling/").status, 404);
    assert_eq!(get(addr, "/news/bundle/photo.png").status, 404);

    // Moved back in, then renamed inside the site.
    fs::rename(elsewhere.path().join("news"), root.join("content/news")).unwrap();
    assert_like_clean_build(&server, &root, "content/news moved back");
    assert_eq!(get(addr, "/news/unveiling/").status, 200);
    write(root.join("content/extra/a.md"), "---\ntitle: 甲\n---\n甲\n");
    write(
        root.join("content/extra/deep/b.en.md"),
        "---\ntitle: B\n---\nb\n",
    );
    assert_like_clean_build(&server, &root, "content/extra created");
    assert_eq!(get(addr, "/extra/a/").status, 200);
    fs::rename(root.join("content/extra"), root.join("content/more")).unwrap();
    assert_like_clean_build(&server, &root, "content/extra renamed");
    assert_eq!(get(addr, "/extra/a/").status, 404);
    assert_eq!(get(addr, "/en/extra/deep/b/").status, 404);
    assert_eq!(get(addr, "/more/a/").status, 200);
    assert_eq!(get(addr, "/en/more/deep/b/").status, 200);
    fs::remove_dir_all(root.join("content/more")).unwrap();
    assert_like_clean_build(&server, &root, "content/more deleted");
    assert_eq!(get(addr, "/more/a/").status, 404);

    // A bundle's directory deleted, a static directory moved out and deleted.
    fs::remove_dir_all(root.join("content/news/bundle")).unwrap();
    assert_like_clean_build(&server, &root, "bundle deleted");
    assert_eq!(get(addr, "/news/bundle/photo.png").status, 404);
    write(root.join("static/css/extra.css"), "p { margin: 0 }\n");
    assert_like_clean_build(&server, &root, "static/css created");
    assert_eq!(get(addr, "/css/extra.css").status, 200);
    fs::rename(root.join("static/css"), elsewhere.path().join("css")).unwrap();
    assert_like_clean_build(&server, &root, "static/css moved out");
    assert_eq!(get(addr, "/css/extra.css").status, 404);
    fs::remove_dir_all(root.join("static")).unwrap();
    assert_like_clean_build(&server, &root, "static deleted");
    assert_eq!(get(addr, "/site.css").status, 404);
}

#[test]
fn names_that_are_not_utf8_stop_with_an_error_naming_each() {
    let site = copy_fixture("trilingual");
    let root = site.path().canonicalize().unwrap();
    let server = start(&root);
    let page = "---\ntitle: Café\n---\ncafé\n";
    // Latin-1 `café.md` and `cafè.md`: converted lossily, both were `caf\u{FFFD}.md`.
    for name in [&b"caf\xe9.md"[..], b"caf\xe8.md"] {
        fs::write(root.join("content").join(OsStr::from_bytes(name)), page).unwrap();
    }
    assert_like_clean_build(&server, &root, "two names that are not UTF-8");
    let errors: Vec<String> = server
        .status()
        .errors
        .iter()
        .map(|d| d.path.as_ref().unwrap().display().to_string())
        .collect();
    assert_eq!(errors, ["content/caf%E8.md", "content/caf%E9.md"]);
    // Renamed to UTF-8: the site builds again.
    for (from, to) in [(&b"caf\xe9.md"[..], "café.md"), (b"caf\xe8.md", "cafè.md")] {
        let from = root.join("content").join(OsStr::from_bytes(from));
        fs::rename(from, root.join("content").join(to)).unwrap();
    }
    assert_like_clean_build(&server, &root, "renamed to UTF-8");
    assert!(server.status().errors.is_empty());
}
