//! `thermocheck figures`: SVG figures of the optimal protocols, excess works, geodesics,
//! temperatures and activation efficiencies in `docs/figures/`.

use crate::{Failure, Outcome};

/// Arguments of `thermocheck figures`.
#[derive(Debug, clap::Args)]
pub struct FiguresArgs {
    /// Directory the figures are written to.
    #[arg(long, default_value = "docs/figures")]
    pub out: std::path::PathBuf,
    /// Write nothing; exit 1 when the files in --out differ from a fresh run.
    #[arg(long)]
    pub check: bool,
}

pub fn run(_args: &FiguresArgs) -> Result<Outcome, Failure> {
    Err(Failure::Check("figures: not yet implemented".to_owned()))
}
