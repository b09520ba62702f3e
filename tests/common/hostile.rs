//! The hostile-input harness: one case is a few files written into a fresh folder, a command
//! run there, and what must hold afterwards — the exit code, a message that names the place
//! or the flag, no panic or debug dump, every input byte-identical, and no file left behind
//! (no report, no temporary file) unless the case says which files a run may create.
//!
//! Test files add cases with [`Case::new`] and run them with [`Case::check`]; each area of
//! the corpus (`tests/hostile_*.rs`) is one file of cases.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use super::{assert_no_crash, TIMEOUT};

/// One hostile input and what mixcost must do with it.
pub struct Case {
    pub name: String,
    files: Vec<(String, Vec<u8>)>,
    args: Vec<String>,
    code: i32,
    mentions: Vec<String>,
    reports: Vec<String>,
    may_create: Vec<String>,
    stdin: Option<Vec<u8>>,
    special: Vec<Special>,
    escaped_text: bool,
    may_change: Vec<String>,
}

/// A file that is not plain bytes, set up before the run (see [`Case::symlink`] and friends).
enum Special {
    Symlink { link: String, target: String },
    Fifo(String),
    Mode { path: String, mode: u32 },
}

/// What a checked case printed, for further assertions.
pub struct Outcome {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub dir: tempfile::TempDir,
}

impl Case {
    /// A case named `name` running `mixcost ARGS` in a fresh folder; by default it must exit 2.
    pub fn new(name: &str, args: &[&str]) -> Case {
        Case {
            name: name.to_string(),
            files: Vec::new(),
            args: args.iter().map(|arg| arg.to_string()).collect(),
            code: 2,
            mentions: Vec::new(),
            reports: Vec::new(),
            may_create: Vec::new(),
            stdin: None,
            special: Vec::new(),
            escaped_text: false,
            may_change: Vec::new(),
        }
    }

    /// The run may rewrite the existing file `path` (an `-o` target that exists beforehand);
    /// every other input must stay byte-identical.
    pub fn may_change(mut self, path: &str) -> Case {
        self.may_change.push(path.to_string());
        self
    }

    /// Creates a symlink `link` → `target` (relative to the case's folder) before the run.
    pub fn symlink(mut self, link: &str, target: &str) -> Case {
        self.special.push(Special::Symlink {
            link: link.to_string(),
            target: target.to_string(),
        });
        self
    }

    /// Creates a FIFO (named pipe) at `path` before the run; nothing writes or reads it.
    pub fn fifo(mut self, path: &str) -> Case {
        self.special.push(Special::Fifo(path.to_string()));
        self
    }

    /// Sets `path`'s permission bits (e.g. 0o444 for a read-only file) before the run.
    pub fn mode(mut self, path: &str, mode: u32) -> Case {
        self.special.push(Special::Mode {
            path: path.to_string(),
            mode,
        });
        self
    }

    /// Standard error may hold escaped control characters (`\n` for a newline inside a
    /// name), which the no-crash check otherwise takes for a debug dump.
    pub fn shows_escapes(mut self) -> Case {
        self.escaped_text = true;
        self
    }

    /// Writes `contents` to `path` (relative to the case's folder) before the run.
    pub fn file(mut self, path: &str, contents: impl AsRef<[u8]>) -> Case {
        self.files
            .push((path.to_string(), contents.as_ref().to_vec()));
        self
    }

    /// The exit code the run must end with (2 unless said otherwise).
    pub fn exit(mut self, code: i32) -> Case {
        self.code = code;
        self
    }

    /// Standard error must contain `text` (a `file:line:col`, a flag, the offending value).
    pub fn mentions(mut self, text: &str) -> Case {
        self.mentions.push(text.to_string());
        self
    }

    /// Standard output must contain `text`: for `validate`, whose findings are its report.
    pub fn reports(mut self, text: &str) -> Case {
        self.reports.push(text.to_string());
        self
    }

    /// The run may create `path` (an `-o` target on success); any other new file is a failure.
    pub fn may_create(mut self, path: &str) -> Case {
        self.may_create.push(path.to_string());
        self
    }

    /// Feeds `bytes` on standard input.
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Case {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }

    /// Runs the case and asserts everything it promises; returns what it printed.
    pub fn check(self) -> Outcome {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (path, contents) in &self.files {
            let full = dir.path().join(path);
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).expect("create the case's folders");
            }
            std::fs::write(&full, contents).expect("write the case's file");
        }
        for special in &self.special {
            use std::os::unix::fs::PermissionsExt;
            match special {
                Special::Symlink { link, target } => {
                    std::os::unix::fs::symlink(target, dir.path().join(link))
                        .expect("create the case's symlink")
                }
                Special::Fifo(path) => {
                    let status = std::process::Command::new("mkfifo")
                        .arg(dir.path().join(path))
                        .status()
                        .expect("run mkfifo");
                    assert!(status.success(), "mkfifo {path}");
                }
                Special::Mode { path, mode } => std::fs::set_permissions(
                    dir.path().join(path),
                    std::fs::Permissions::from_mode(*mode),
                )
                .expect("set the case's file mode"),
            }
        }
        let before = snapshot(dir.path());

        let mut command = Command::cargo_bin("mixcost").expect("the mixcost binary is built");
        command
            .current_dir(dir.path())
            .env_clear()
            .args(&self.args)
            .timeout(TIMEOUT);
        if let Some(stdin) = &self.stdin {
            command.write_stdin(stdin.clone());
        }
        let output = command.output().expect("mixcost runs");
        let code = output.status.code();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let context = format!(
            "case '{}': mixcost {}\nexit {code:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            self.name,
            self.args.join(" ")
        );

        assert_eq!(code, Some(self.code), "{context}");
        if self.code == 2 {
            if self.escaped_text {
                assert_no_crash(&stderr.replace("\\n", ""));
            } else {
                assert_no_crash(&stderr);
            }
        }
        assert!(!stderr.contains("panicked"), "{context}");
        for mention in &self.mentions {
            assert!(
                stderr.contains(mention.as_str()),
                "stderr should mention {mention:?}\n{context}"
            );
        }
        for report in &self.reports {
            assert!(
                stdout.contains(report.as_str()),
                "stdout should contain {report:?}\n{context}"
            );
        }

        let after = snapshot(dir.path());
        for (path, contents) in &before {
            if self
                .may_change
                .iter()
                .any(|changed| Path::new(changed) == path)
            {
                assert!(
                    after.contains_key(path),
                    "'{}' vanished\n{context}",
                    path.display()
                );
                continue;
            }
            assert_eq!(
                after.get(path),
                Some(contents),
                "input '{}' changed or vanished\n{context}",
                path.display()
            );
        }
        for path in after.keys() {
            let allowed = before.contains_key(path)
                || self
                    .may_create
                    .iter()
                    .any(|created| Path::new(created) == path);
            assert!(allowed, "left behind '{}'\n{context}", path.display());
        }
        Outcome {
            code,
            stdout,
            stderr,
            dir,
        }
    }
}

/// Every regular file under `root` (relative path → bytes), hidden files included.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).expect("list the case's folder") {
            let entry = entry.expect("a folder entry");
            let kind = entry.file_type().expect("a file type");
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let relative = path.strip_prefix(root).expect("inside root").to_path_buf();
                files.insert(relative, std::fs::read(&path).expect("read a case file"));
            }
        }
    }
    files
}
