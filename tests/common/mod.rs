//! Running the real `mixcost` binary from integration tests, the way a user would: from the
//! crate root (so fixture paths in snapshots are relative), with a cleared environment, under
//! a time limit. Each test file uses the part it needs.
#![allow(dead_code)]

pub mod hostile;

use std::time::Duration;

use assert_cmd::Command;

/// A run still going after this long is killed and the test fails: a guard against a hang
/// (an alias bomb that expanded, a sweep that never ends), not a performance check.
pub const TIMEOUT: Duration = Duration::from_secs(120);

/// What one run printed and how it ended.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `mixcost ARGS` with only the variables in `env` set.
pub fn run_with(env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::cargo_bin("mixcost").expect("the mixcost binary is built");
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .envs(env.iter().copied())
        .args(args)
        .timeout(TIMEOUT);
    let output = command.output().expect("mixcost runs");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

pub fn run(args: &[&str]) -> Run {
    run_with(&[], args)
}

/// Runs `args`, expects exit `code` and a quiet stderr, and returns stdout.
pub fn expect(code: i32, args: &[&str]) -> String {
    let run = run(args);
    assert_eq!(
        run.code,
        Some(code),
        "mixcost {args:?}: exit {:?}\nstdout:\n{}\nstderr:\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    assert_eq!(run.stderr, "", "mixcost {args:?} wrote to stderr");
    run.stdout
}

/// Runs `args`, expects success and a quiet stderr, and returns stdout.
pub fn ok(args: &[&str]) -> String {
    expect(0, args)
}

/// No panic and no Rust debug dump reaches the user; the message starts like one.
pub fn assert_no_crash(stderr: &str) {
    for marker in ["panicked", "RUST_BACKTRACE", "Error {", "Some(", "\\n"] {
        assert!(
            !stderr.contains(marker),
            "stderr looks like a crash or a debug dump ({marker}):\n{stderr}"
        );
    }
    assert!(
        stderr.starts_with("error: ") || stderr.starts_with("warning: "),
        "stderr should start with `error:` or `warning:`:\n{stderr}"
    );
}

/// Runs `args`, expects exit 2 (bad input) with nothing on stdout, and returns stderr.
pub fn rejected(args: &[&str]) -> String {
    let run = run(args);
    assert_eq!(
        run.code,
        Some(2),
        "`mixcost {}` should exit 2\nstdout:\n{}\nstderr:\n{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    assert_eq!(run.stdout, "", "nothing on stdout for bad input");
    assert_no_crash(&run.stderr);
    run.stderr
}
