//! Progress bars and Ctrl-C for long computations.
//!
//! The bar goes to standard error and only when it is a terminal, so piped and CI output stay
//! clean. Ctrl-C sets a flag the computation polls between chunks; the command then stops
//! without writing its output file (the temporary file is removed).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use indicatif::{ProgressBar, ProgressStyle};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static HANDLER: Once = Once::new();

/// Installs the Ctrl-C handler (once) and clears the flag.
pub fn watch_interrupts() {
    HANDLER.call_once(|| {
        // If a handler cannot be installed, Ctrl-C keeps its default effect: the process ends
        // and the temporary output file is left unrenamed, so no half report appears anyway.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
    INTERRUPTED.store(false, Ordering::SeqCst);
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
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
