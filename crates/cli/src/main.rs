//! `thermocheck`: verify the thermodynamics-of-learning closed forms against independent numerics.
//!
//! Exit codes: 0 success, 1 a check failed (or a method could not converge), 2 bad input (one
//! line on stderr).
#![forbid(unsafe_code)]

/// `println!` for a command's output. A closed stdout (`thermocheck list | head`) ends the
/// command quietly with [`Failure::Closed`] instead of panicking on the broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err($crate::Failure::from_io)?
    }};
}

mod eval;
mod figures;
mod list;
mod runtime;
mod simulate;
mod tables;
mod verify;

use thermocheck::{proofs, registry};

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Verify the closed forms of two papers on the thermodynamics of learning against independent
/// numerical methods (ODE, quadrature, Langevin ensembles, automatic differentiation).
#[derive(Debug, Parser)]
#[command(name = "thermocheck", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every claim with the proof that establishes it, and every eval quantity with its
    /// parameters.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Evaluate a closed form: `thermocheck eval QUANTITY --PARAM VALUE ... [--json]`.
    Eval(eval::EvalArgs),
    /// Run the claims' checks and print the evidence.
    Verify(verify::VerifyArgs),
    /// Write the spec's reference tables and every claim's evidence to docs/tables (Markdown, CSV).
    Tables(tables::TablesArgs),
    /// Write the SVG figures to docs/figures.
    Figures(figures::FiguresArgs),
    /// Langevin ensemble runs.
    Simulate {
        #[command(subcommand)]
        what: simulate::SimulateCommand,
    },
}

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// Bad input: one line on stderr, exit code 2.
    Input(String),
    /// A check failed or a method could not produce a value: exit code 1.
    Check(String),
    /// The reader closed stdout (a pipe into `head`): stop quietly with exit code 141, the
    /// shell's code for a process ended by SIGPIPE.
    Closed,
}

impl Failure {
    /// An error writing the command's output: a broken pipe is [`Failure::Closed`], anything
    /// else a failure to produce the output.
    pub fn from_io(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Check(format!("cannot write the output: {e}"))
        }
    }
}

impl From<thermocheck_numerics::Error> for Failure {
    fn from(e: thermocheck_numerics::Error) -> Self {
        if e.is_input_error() {
            // Library errors name parameters as the CLI flags are spelled, minus the dashes.
            Failure::Input(e.with_parameter_prefix("--").to_string())
        } else {
            Failure::Check(e.to_string())
        }
    }
}

/// The outcome of a command that ran to the end.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything passed.
    Passed,
    /// At least one check failed (the report says which).
    Failed,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind::{
                DisplayHelp, DisplayHelpOnMissingArgumentOrSubcommand, DisplayVersion,
            };
            match e.kind() {
                DisplayHelp | DisplayVersion => {
                    let _ = e.print();
                    return ExitCode::SUCCESS;
                }
                DisplayHelpOnMissingArgumentOrSubcommand => {
                    eprintln!(
                        "error: a command is required (list, eval, verify, tables, figures, simulate); see --help"
                    );
                    return ExitCode::from(2);
                }
                _ => {}
            }
            eprintln!("error: {}", first_line_of_clap_error(&e));
            return ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::List { json } => list::run(json),
        Command::Eval(args) => eval::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Tables(args) => tables::run(&args),
        Command::Figures(args) => figures::run(&args),
        Command::Simulate { what } => simulate::run(&what),
    };
    match result {
        Ok(Outcome::Passed) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::from(1),
        Err(Failure::Input(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Failure::Check(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(1)
        }
        Err(Failure::Closed) => ExitCode::from(141),
    }
}

/// clap renders usage errors over several lines (message, details, tip, usage); the contract is
/// one line, so keep the message and its details (up to the first blank line) joined by spaces.
fn first_line_of_clap_error(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let line = message.join(" ");
    let line = line
        .strip_prefix("error: ")
        .unwrap_or(&line)
        .trim()
        .to_owned();
    if line.is_empty() {
        "invalid arguments".to_owned()
    } else {
        line
    }
}
