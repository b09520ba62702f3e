//! The `mixcost` binary: runs the command line and maps errors to exit code 2.

use std::process::ExitCode;

use mixcost::load::diagnostic::LoadError;

fn main() -> ExitCode {
    match mixcost::cli::run() {
        Ok(code) => code,
        Err(error) => {
            match error.downcast_ref::<LoadError>() {
                Some(load_error) => eprint!("{load_error}"),
                // Messages embed names from the user's files: no control character goes out
                // raw, and a huge offending value is cut.
                None => {
                    let message =
                        mixcost::model::text::escape_message(&format!("{error:#}"), 2_000);
                    eprintln!("error: {message}");
                }
            }
            ExitCode::from(2)
        }
    }
}
