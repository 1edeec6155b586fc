//! The `abstat` binary as a user runs it: help, start-up errors, and
//! `serve` answering `/healthz` until SIGTERM stops it cleanly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn abstat() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_abstat"));
    // A clean environment: only what the test sets (plus PATH/HOME) reaches the binary.
    cmd.env_clear();
    for keep in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(keep) {
            cmd.env(keep, v);
        }
    }
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    http(port, "GET", path, &[], "")
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    write!(s, "{head}\r\n{body}")?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    Ok((status, body))
}

#[test]
fn help_lists_every_command_and_the_quick_start() {
    let out = abstat().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for word in [
        "serve",
        "worker",
        "bot",
        "user",
        "Quick start",
        "abstat serve --dev",
    ] {
        assert!(help.contains(word), "--help lacks {word:?}:\n{help}");
    }
    let out = abstat().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for var in [
        "ABSTAT_HTTP_ADDR",
        "ABSTAT_JWT_SECRET",
        "TELEGRAM_BOT_TOKEN",
        "ABSTAT_KAFKA_BROKERS",
    ] {
        assert!(help.contains(var), "serve --help lacks {var}");
    }
}

#[test]
fn serve_without_a_secret_outside_dev_mode_refuses_and_says_how_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = abstat()
        .arg("serve")
        .env("ABSTAT_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("ABSTAT_JWT_SECRET") && err.contains("--dev"),
        "{err}"
    );
}

#[test]
fn a_bad_variable_is_named_at_start_up() {
    let out = abstat()
        .arg("serve")
        .env("ABSTAT_HTTP_ADDR", "localhost")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("ABSTAT_HTTP_ADDR") && err.contains("IP:PORT"),
        "{err}"
    );
}

#[test]
fn worker_and_bot_say_what_they_need() {
    let out = abstat().arg("worker").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("ABSTAT_KAFKA_BROKERS"));
    assert!(!out.status.success());
    let out = abstat().arg("bot").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("TELEGRAM_BOT_TOKEN"));
    assert!(!out.status.success());
}

fn user_add(data_dir: &std::path::Path, name: &str, password: &str) -> std::process::Output {
    let mut child = abstat()
        .args(["user", "add", name, "--password-stdin"])
        .env("ABSTAT_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(password.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_add_refuses_short_passwords_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_add(dir.path(), "alice", "short\n");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
    assert!(
        user_add(dir.path(), "alice", "long enough password\n")
            .status
            .success()
    );
    let out = user_add(dir.path(), "alice", "another password\n");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'alice' is taken"),
        "{out:?}"
    );
}

#[test]
fn serve_dev_answers_healthz_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_add(dir.path(), "alice", "long enough password\n");
    assert!(out.status.success(), "{out:?}");
    let port = free_port();
    let mut child = abstat()
        .args(["serve", "--dev", "--log-json"])
        .env("ABSTAT_DATA_DIR", dir.path())
        .env("ABSTAT_HTTP_ADDR", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let (status, body) = loop {
        match http_get(port, "/healthz") {
            Ok(r) => break r,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => {
                let _ = child.kill();
                panic!("abstat serve did not answer on port {port}: {e}");
            }
        }
    };
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"status\":\"ok\""), "{body}");
    assert_eq!(http_get(port, "/readyz").unwrap().0, 200);
    assert!(dir.path().join("dev-jwt-secret").exists());

    // The user made by `abstat user add` logs in and sees itself.
    let json = ["Content-Type: application/json"];
    let (status, body) = http(
        port,
        "POST",
        "/auth/token/",
        &json,
        r#"{"username":"alice","password":"long enough password"}"#,
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let pair: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bearer = format!("Authorization: Bearer {}", pair["access"].as_str().unwrap());
    let (status, body) = http(port, "GET", "/users/me/", &[&bearer], "").unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"username\":\"alice\""), "{body}");

    // SIGTERM: graceful shutdown, exit code 0.
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    let logs: Vec<String> = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .collect();
    assert!(
        status.success(),
        "exit {status:?}; logs:\n{}",
        logs.join("\n")
    );
    // --log-json: every log line is a JSON object.
    assert!(!logs.is_empty());
    for line in &logs {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v.get("level").is_some(), "{line}");
    }
}

/// One HTTP answer with `status` to the first connection on a free port.
fn answer_once(status: &str) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let status = status.to_string();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let body = "database unreachable";
        let _ = write!(
            s,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    });
    (port, handle)
}

#[test]
fn probe_exits_zero_on_2xx_and_explains_anything_else() {
    let (port, server) = answer_once("204 No Content");
    let out = abstat()
        .args(["probe", &format!("http://127.0.0.1:{port}/healthz")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    server.join().unwrap();

    let (port, server) = answer_once("503 Service Unavailable");
    let url = format!("http://127.0.0.1:{port}/readyz");
    let out = abstat().args(["probe", &url]).output().unwrap();
    server.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&url) && err.contains("503") && err.contains("database unreachable"),
        "{err}"
    );

    // Nothing listens: refused, named, and quick.
    let url = format!("http://127.0.0.1:{}/healthz", free_port());
    let started = Instant::now();
    let out = abstat().args(["probe", &url]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&url) && err.contains("cannot connect"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    // A listener that never answers: the timeout ends it.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}/", silent.local_addr().unwrap().port());
    let out = abstat()
        .args(["probe", "--timeout", "0.5", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no answer within 0.5 s"),
        "{out:?}"
    );

    // Not a URL, and a bad timeout.
    let out = abstat().args(["probe", "localhost:8080"]).output().unwrap();
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    let out = abstat()
        .args(["probe", "--timeout", "-1", "http://127.0.0.1:1/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error: {out:?}");
}
