//! `pricing update` and `pricing diff` against a tiny HTTP server on 127.0.0.1 that the test
//! starts: a good download, a changed one, HTTP errors, a redirect loop, a body cut off
//! halfway and no server at all. The data folder is a temporary one (MIXCOST_DATA_DIR).

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

fn map(price: &str) -> String {
    format!(
        r#"{{"acme/frontier-9": {{"litellm_provider": "acme", "mode": "chat", "max_input_tokens": 100000,
            "input_cost_per_token": {price}, "output_cost_per_token": 1e-05}}}}"#
    )
}

/// Serves `/map.json` (the current body), `/missing` (404), `/loop` (a redirect to itself)
/// and `/half` (announces more bytes than it sends). Returns the base URL.
fn serve(body: Arc<Mutex<String>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let body = body.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                let _ = reader.read_line(&mut request);
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let response = match path.as_str() {
                    "/map.json" => {
                        let body = body.lock().unwrap().clone();
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        )
                    }
                    "/loop" => "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                    "/half" => {
                        let body = body.lock().unwrap().clone();
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                            body.len() * 2,
                            &body[..body.len() / 2]
                        )
                    }
                    _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                };
                let _ = stream.write_all(response.as_bytes());
                let _ = stream.flush();
            });
        }
    });
    format!("http://{address}")
}

fn mixcost(data: &Path, args: &[&str]) -> common::Run {
    common::run_with(&[("MIXCOST_DATA_DIR", data.to_str().unwrap())], args)
}

const SCENARIO: &str = "name: acme\nas_of: 2026-11-01\nworkloads:\n  - {name: w, task: extraction, input_tokens: 10M, output_tokens: 1M}\npolicies:\n  - {name: p, default: acme/frontier-9}\nbaseline: p\n";

#[test]
fn update_downloads_layers_and_diffs() {
    let body = Arc::new(Mutex::new(map("2e-06")));
    let base = serve(body.clone());
    let data = tempfile::tempdir().unwrap();
    let scenario = data.path().join("acme.yaml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let scenario = scenario.to_str().unwrap();

    // Before any download the model is unknown.
    assert_eq!(mixcost(data.path(), &["compare", scenario]).code, Some(2));
    let url = format!("{base}/map.json");
    let run = mixcost(data.path(), &["pricing", "update", "--url", &url]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("imported 1 models from 1 providers"),
        "{}",
        run.stderr
    );
    let run = mixcost(data.path(), &["compare", scenario]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("$30.00"),
        "10M × $2 + 1M × $10:\n{}",
        run.stdout
    );
    let run = mixcost(data.path(), &["pricing", "update", "--offline"]);
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("downloaded"), "{}", run.stdout);

    // The price changes upstream; a second update keeps the first for `pricing diff`.
    *body.lock().unwrap() = map("3e-06");
    let run = mixcost(data.path(), &["pricing", "update", "--url", &url]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let run = mixcost(
        data.path(),
        &[
            "pricing",
            "diff",
            "--scenario",
            scenario,
            "--format",
            "markdown",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("acme/frontier-9"), "{}", run.stdout);
    assert!(
        run.stdout.contains("$2.00") && run.stdout.contains("$3.00"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("$30.00") && run.stdout.contains("$40.00"),
        "{}",
        run.stdout
    );
}

#[test]
fn failed_downloads_are_clear_errors_and_keep_the_old_folder() {
    let body = Arc::new(Mutex::new(map("2e-06")));
    let base = serve(body);
    let data = tempfile::tempdir().unwrap();
    let good = format!("{base}/map.json");
    assert_eq!(
        mixcost(data.path(), &["pricing", "update", "--url", &good]).code,
        Some(0)
    );
    let folder = data.path().join("pricing/litellm");
    let before = std::fs::read_to_string(folder.join("acme.yaml")).unwrap();
    for (path, message) in [
        ("/missing", "the server answered HTTP 404"),
        ("/loop", "redirect"),
        ("/half", "cannot download"),
    ] {
        let url = format!("{base}{path}");
        let run = mixcost(data.path(), &["pricing", "update", "--url", &url]);
        assert_eq!(run.code, Some(2), "{path}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{path}: {}", run.stderr);
        assert_eq!(
            std::fs::read_to_string(folder.join("acme.yaml")).unwrap(),
            before,
            "{path} changed the old download"
        );
    }
    // No server: a closed port.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/map.json", closed.local_addr().unwrap());
    drop(closed);
    let run = mixcost(data.path(), &["pricing", "update", "--url", &url]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("cannot download"), "{}", run.stderr);
    // Not a database: exit 2, the old folder stays.
    let leftovers: Vec<_> = std::fs::read_dir(data.path().join("pricing"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["litellm"], "temporary folders were left behind");
}

#[test]
fn offline_without_a_download_is_an_error() {
    let data = tempfile::tempdir().unwrap();
    let run = mixcost(data.path(), &["pricing", "update", "--offline"]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr.contains("no litellm prices downloaded"),
        "{}",
        run.stderr
    );
    let run = mixcost(data.path(), &["pricing", "diff"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no two downloads"), "{}", run.stderr);
}
