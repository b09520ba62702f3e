//! The `mixcost` binary: runs the command line and maps errors to exit code 2.

use std::process::ExitCode;

use mixcost::load::diagnostic::LoadError;

fn main() -> ExitCode {
    match mixcost::cli::run() {
        Ok(code) => code,
        Err(error) => {
            match error.downcast_ref::<LoadError>() {
                Some(load_error) => eprint!("{load_error}"),
                None => eprintln!("error: {error:#}"),
            }
            ExitCode::from(2)
        }
    }
}
