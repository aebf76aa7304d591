//! `moked reindex` as its user runs it: on a fresh data folder it builds an
//! empty index and says so; while a server holds the index it refuses,
//! naming the folder; a bad flag exits 2 naming it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

fn moked(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moked"))
        .args(args)
        .output()
        .expect("moked runs")
}

#[test]
fn reindex_builds_refuses_while_served_and_names_bad_flags() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let fresh = moked(&["reindex", "--data", dir]);
    assert!(
        fresh.status.success(),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );
    let said = String::from_utf8_lossy(&fresh.stdout);
    assert!(said.starts_with("Indexed 0 documents"), "{said}");
    assert!(data.path().join("search/meta.json").exists());

    let mut server = Command::new(env!("CARGO_BIN_EXE_moked"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data", dir])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    assert!(first_line.contains("serving at"), "{first_line}");
    let busy = moked(&["reindex", "--data", dir]);
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(busy.status.code(), Some(1));
    let said = String::from_utf8_lossy(&busy.stderr);
    assert!(said.contains("in use") && said.contains(dir), "{said}");

    let bad = moked(&["reindex", "--database-url", "mysql://nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("database-url"));
}
