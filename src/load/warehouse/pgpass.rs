//! PostgreSQL connection URLs and passwords, found as libpq finds them.
//!
//! The password never comes from a flag (it would show in `ps`) or the URL (it would land in
//! shell history): `PGPASSWORD`, else the password file — `PGPASSFILE`, else `~/.pgpass` —
//! whose lines are `hostname:port:database:username:password`, `*` matching anything in the
//! first four fields, `\:` and `\\` escapes, `#` comments, the first matching line winning.
//! Like libpq, a password file readable by group or others is ignored with a warning.

use std::path::{Path, PathBuf};

/// `postgres://USER@HOST[:PORT]/DB`, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub database: String,
}

impl Target {
    /// The URL as shown in results and messages.
    pub fn shown(&self) -> String {
        format!(
            "postgres://{}@{}:{}/{}",
            self.user, self.host, self.port, self.database
        )
    }
}

/// `text` with its `%XX` escapes undone (libpq decodes nothing else, `+` included).
pub(super) fn percent_decode(text: &str, what: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3).ok_or_else(|| {
                format!("the database URL's {what} has a broken %-escape: '{text}'")
            })?;
            let value = u8::from_str_radix(hex, 16).map_err(|_| {
                format!("the database URL's {what} has a broken %-escape: '{text}'")
            })?;
            out.push(value);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("the database URL's {what} is not UTF-8"))
}

/// Parses `postgres://USER@HOST[:PORT]/DB[?PARAMS]` (or `postgresql://`) into the target and
/// the query text after `?`, which [`super::tls`] reads. A password in the URL is refused.
pub fn parse_url(url: &str) -> Result<(Target, Option<&str>), String> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .ok_or_else(|| {
            format!(
                "--database '{url}' is not a PostgreSQL URL; write postgres://USER@HOST[:PORT]/DB"
            )
        })?;
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, Some(query)),
        None => (rest, None),
    };
    let (authority, database) = rest.split_once('/').ok_or_else(|| {
        "--database names no database; write postgres://USER@HOST[:PORT]/DB".to_string()
    })?;
    let (user, host_port) = authority.rsplit_once('@').ok_or_else(|| {
        "--database names no user; write postgres://USER@HOST[:PORT]/DB".to_string()
    })?;
    if user.contains(':') {
        return Err("--database carries a password, which mixcost does not read from a URL (it would show in `ps` and shell history)\n  = help: remove it from the URL; set PGPASSWORD, or add a line host:port:database:user:password to ~/.pgpass (mode 0600)".to_string());
    }
    let (host, port) = match host_port.rsplit_once(':') {
        Some((host, port)) if !host_port.ends_with(']') => {
            let port: u16 = port.parse().map_err(|_| {
                format!("--database: port '{port}' is not a number from 1 to 65535")
            })?;
            (host, port)
        }
        _ => (host_port, 5432),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let target = Target {
        user: percent_decode(user, "user")?,
        host: percent_decode(host, "host")?,
        port,
        database: percent_decode(database, "database")?,
    };
    if target.user.is_empty() || target.host.is_empty() || target.database.is_empty() {
        return Err(format!(
            "--database '{url}' lacks a user, host or database; write postgres://USER@HOST[:PORT]/DB"
        ));
    }
    Ok((target, query))
}

/// Splits a password-file line into its fields, undoing `\:` and `\\`.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(field)) = (chars.next(), out.last_mut()) {
                    field.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            other => {
                if let Some(field) = out.last_mut() {
                    field.push(other);
                }
            }
        }
    }
    out
}

/// The password for `target` in a password file's text: the first line whose first four
/// fields match (each literally or by `*`).
pub fn lookup(text: &str, target: &Target) -> Option<String> {
    let port = target.port.to_string();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts = fields(line);
        if parts.len() < 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        // libpq matches "localhost" for a Unix socket; a TCP host matches by name.
        if matches(&parts[0], &target.host)
            && matches(&parts[1], &port)
            && matches(&parts[2], &target.database)
            && matches(&parts[3], &target.user)
        {
            return Some(parts[4].clone());
        }
    }
    None
}

/// Where the password file is: `PGPASSFILE`, else `~/.pgpass`.
pub fn password_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME").map(|home| Path::new(&home).join(".pgpass"))
}

/// The password for `target`: `PGPASSWORD`, else the password file. A warning is returned
/// when the file is ignored for its permissions, as libpq does.
pub fn password(target: &Target) -> (Option<String>, Option<String>) {
    if let Some(password) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        return (Some(password), None);
    }
    let Some(path) = password_file() else {
        return (None, None);
    };
    let Ok(metadata) = std::fs::metadata(&path) else {
        return (None, None);
    };
    if !metadata.is_file() {
        return (
            None,
            Some(format!(
                "warning: password file '{}' is not a plain file; it is ignored",
                path.display()
            )),
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o077 != 0 {
            return (
                None,
                Some(format!(
                    "warning: password file '{}' has group or world access; permissions should be u=rw (0600) or less — it is ignored (chmod 600 it)",
                    path.display()
                )),
            );
        }
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => (lookup(&text, target), None),
        Err(_) => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        parse_url("postgres://litellm@db.internal:6543/proxy")
            .unwrap()
            .0
    }

    #[test]
    fn urls_parse_with_a_default_port_and_refuse_passwords() {
        assert_eq!(
            parse_url("postgresql://postgres@127.0.0.1/test").unwrap(),
            (
                Target {
                    user: "postgres".into(),
                    host: "127.0.0.1".into(),
                    port: 5432,
                    database: "test".into()
                },
                None
            )
        );
        assert_eq!(target().port, 6543);
        let error = parse_url("postgres://u:secret@h/db").unwrap_err();
        assert!(error.contains("PGPASSWORD"), "{error}");
        assert!(!error.contains("secret"), "{error}");
        assert!(parse_url("mysql://u@h/db").is_err());
        assert!(parse_url("postgres://u@h").is_err());
        assert!(parse_url("postgres://u@h:99999/db").is_err());
        let (with_query, query) = parse_url("postgres://u@h:5433/db?sslmode=require").unwrap();
        assert_eq!(
            (with_query.database.as_str(), with_query.port),
            ("db", 5433)
        );
        assert_eq!(query, Some("sslmode=require"));
        assert!(parse_url("postgres://u@h?sslmode=require").is_err());
        assert_eq!(parse_url("postgres://a%40b@h/d%2Fe").unwrap().0.user, "a@b");
    }

    #[test]
    fn the_first_matching_line_wins_with_wildcards() {
        let text = "# comment\n\
                    other:6543:proxy:litellm:wrong-host\n\
                    db.internal:5432:proxy:litellm:wrong-port\n\
                    db.internal:6543:*:litellm:right\n\
                    *:*:*:*:fallback\n";
        assert_eq!(lookup(text, &target()).as_deref(), Some("right"));
        let other = parse_url("postgres://someone@elsewhere/x").unwrap().0;
        assert_eq!(lookup(text, &other).as_deref(), Some("fallback"));
        assert_eq!(lookup("h:1:d:u:p\n", &other), None);
    }

    #[test]
    fn escapes_and_colons_in_the_password() {
        // `\:` is a literal colon in any field, `\\` a backslash; the password field keeps
        // unescaped colons too (libpq stops splitting after the fourth).
        let text = "db.internal:6543:proxy:litellm:pa\\:ss\\\\word:tail\n";
        assert_eq!(lookup(text, &target()).as_deref(), Some("pa:ss\\word:tail"));
        let text = "db\\:x:*:*:*:nope\ndb.internal:*:*:*:yes\n";
        assert_eq!(lookup(text, &target()).as_deref(), Some("yes"));
        // Short lines are skipped, CRLF endings tolerated.
        assert_eq!(
            lookup("db.internal:6543\n*:*:*:*:crlf\r\n", &target()).as_deref(),
            Some("crlf")
        );
    }
}
