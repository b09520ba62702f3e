//! Parquet logs: not read yet.
//!
//! Export Parquet to CSV (e.g. `duckdb -c "COPY (FROM 'log.parquet') TO 'log.csv'"`) and
//! replay the CSV; a Parquet adapter belongs here, in front of the same engine.

use std::path::Path;

use super::{LogFile, ReadOptions};

pub fn open(path: &Path, _index: u32, _options: &ReadOptions) -> Result<LogFile, String> {
    Err(format!(
        "log '{}' is Parquet, which this build cannot read yet; export it to CSV (duckdb -c \"COPY (FROM '{}') TO 'log.csv'\") and replay that",
        path.display(),
        path.display()
    ))
}
