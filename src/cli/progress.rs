//! Progress bars and interruptions for long computations.
//!
//! The bar goes to standard error and only when it is a terminal, so piped and CI output stay
//! clean. Ctrl-C, SIGTERM and SIGHUP are handled by the output writer for every command
//! ([`super::output::watch_signals`]): the temporary output file is removed and the process
//! exits with 130, 143 or 129.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Installs the signal handler (once); see [`super::output::watch_signals`].
pub fn watch_interrupts() {
    super::output::watch_signals();
}

/// Whether a signal has arrived; the handler is then ending the process.
pub fn interrupted() -> bool {
    super::output::interrupted()
}

/// A progress bar over `total` items, hidden unless standard error is a terminal and the work
/// is large enough to notice.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    bar_at_least(total, what, 200_000)
}

/// A progress bar over `total` items, hidden unless standard error is a terminal and there are
/// at least `min` items (fewer cheap items finish before a bar would help).
pub fn bar_at_least(total: u64, what: &str, min: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() || total < min {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    let template = format!("{{spinner}} {what} {{bar:40}} {{pos}}/{{len}} ({{eta}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
