//! What every long-running command sets up the same way: the worker pool and the progress bar.

use crate::Failure;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A rayon pool of `threads` workers (default: the machine's parallelism), and its size. Results
/// never depend on the size: every parallel reduction in thermocheck uses fixed chunks.
pub fn thread_pool(threads: Option<u16>) -> Result<(rayon::ThreadPool, usize), Failure> {
    let threads = threads.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Check(format!("could not start {threads} worker threads: {e}")))?;
    Ok((pool, threads))
}

/// A progress bar of `len` items on stderr, drawn only on a terminal and never when `CI` is set.
pub fn progress_bar(len: usize, template: &'static str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
        ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(ProgressStyle::with_template(template).expect("static template"));
    bar
}
