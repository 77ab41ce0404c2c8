//! `thermocheck simulate learning`: persistent-chain learning of a Gaussian mean with N Langevin
//! particles (spec D7, D8, D14).

use crate::{Failure, Outcome};
use std::io::Write;
use std::path::PathBuf;
use thermocheck_dissipation::data::Data;
use thermocheck_dissipation::energy::GaussianMean;
use thermocheck_dissipation::gaussian::GaussianProtocol;
use thermocheck_dissipation::learning::LearningProblem;
use thermocheck_dissipation::particles::{self, ParticleOptions};
use thermocheck_dissipation::schedule::Schedule;
use thermocheck_numerics::error;

#[derive(Debug, clap::Subcommand)]
pub enum SimulateCommand {
    /// Persistent-chain SGD of a Gaussian mean (data mean = target) with N Langevin particles.
    Learning(LearningArgs),
}

/// The learning-rate schedule of a simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScheduleKind {
    /// η*(t) with the η₀ and η_T impulses (D14): minimal dissipation.
    Optimal,
    /// η*(t) alone, without impulses (D16): misses the target.
    OptimalNoImpulses,
    /// The rate that produces a linear ramp of θ (D17).
    Ramp,
    /// A constant rate `--rate` (D20).
    Constant,
}

#[derive(Debug, clap::Args)]
pub struct LearningArgs {
    /// Learning-rate schedule.
    #[arg(long, value_enum)]
    schedule: ScheduleKind,
    /// The constant learning rate η (required with `--schedule constant`).
    #[arg(long, allow_hyphen_values = true)]
    rate: Option<f64>,
    /// Number of chain particles N.
    #[arg(long)]
    particles: usize,
    /// Number of parameter updates K (step h = T/K).
    #[arg(long)]
    steps: usize,
    /// Training duration T.
    #[arg(long, allow_hyphen_values = true)]
    duration: f64,
    /// Model variance σ² (fixed).
    #[arg(long, allow_hyphen_values = true)]
    variance: f64,
    /// Diffusion constant D of the chain.
    #[arg(long, allow_hyphen_values = true)]
    diffusion: f64,
    /// Initial parameter θ₀ (the chain starts in equilibrium there).
    #[arg(long, allow_hyphen_values = true)]
    start: f64,
    /// Target μ_D: the data mean.
    #[arg(long, allow_hyphen_values = true)]
    target: f64,
    /// Master seed of the initial sample and the chain noise.
    #[arg(long, default_value_t = thermocheck_numerics::CheckConfig::DEFAULT_SEED)]
    seed: u64,
    /// Worker threads, 1 to 256 (results are identical for any count).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,
    /// Write the trajectory as CSV (t, θ, chain mean, W, L, L̃, L − L̃) instead of a summary.
    #[arg(long, value_name = "FILE.csv")]
    out: Option<PathBuf>,
}

pub fn run(command: &SimulateCommand) -> Result<Outcome, Failure> {
    match command {
        SimulateCommand::Learning(args) => learning(args),
    }
}

fn learning(args: &LearningArgs) -> Result<Outcome, Failure> {
    let protocol = GaussianProtocol::new(args.duration, args.variance, args.diffusion)?;
    error::finite("start", args.start)?;
    error::finite("target", args.target)?;
    let schedule = match (args.schedule, args.rate) {
        (ScheduleKind::Optimal, None) => protocol.optimal_schedule(true)?,
        (ScheduleKind::OptimalNoImpulses, None) => protocol.optimal_schedule(false)?,
        (ScheduleKind::Ramp, None) => protocol.ramp_schedule()?,
        (ScheduleKind::Constant, Some(rate)) => Schedule::constant(args.duration, rate)?,
        (ScheduleKind::Constant, None) => {
            return Err(Failure::Input(
                "--schedule constant requires --rate".to_owned(),
            ));
        }
        (_, Some(_)) => {
            return Err(Failure::Input(
                "--rate is only used with --schedule constant".to_owned(),
            ));
        }
    };
    let energy = GaussianMean::new(args.variance)?;
    let data = Data::gaussian(args.target, 0.0)?;
    let theta0 = [args.start];
    let problem = LearningProblem::new(&energy, &data, &schedule, &theta0, args.diffusion)?;
    // sd(W) and its standard error need two particles.
    error::count_at_least("particles", args.particles, 2)?;
    let mut options = ParticleOptions::new(args.particles, args.steps, args.seed)?;
    options.record_every = if args.out.is_some() { 1 } else { 0 };

    let (pool, threads) = crate::runtime::thread_pool(args.threads)?;
    let bar = crate::runtime::progress_bar(args.steps, "{bar:30} {pos}/{len} updates  {eta}");
    // With --out, rows go to the file as they are made (no trajectory in memory).
    let mut csv = match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Failure::Input(format!("--out {}: {e}", path.display())))?;
            let mut w = std::io::BufWriter::new(file);
            writeln!(
                w,
                "t,theta,chain_mean,work,objective,approximate_objective,bias"
            )
            .map_err(|e| Failure::Check(format!("writing {}: {e}", path.display())))?;
            Some(w)
        }
        None => None,
    };
    let mut rows = 0usize;
    let write_error = std::sync::Mutex::new(None::<String>);
    let run = pool
        .install(|| {
            particles::learn_streaming(
                &problem,
                &options,
                |k| bar.set_position(k as u64),
                |r| {
                    let Some(w) = csv.as_mut() else {
                        return Ok(());
                    };
                    rows += 1;
                    writeln!(
                        w,
                        "{:?},{:?},{:?},{:?},{:?},{:?},{:?}",
                        r.time,
                        r.theta[0],
                        r.chain_mean,
                        r.work,
                        r.objective,
                        r.approximate_objective,
                        r.objective - r.approximate_objective
                    )
                    .map_err(|e| {
                        let message = e.to_string();
                        if let Ok(mut slot) = write_error.lock() {
                            slot.get_or_insert(message.clone());
                        }
                        thermocheck_numerics::Error::NotConverged {
                            method: "CSV output".into(),
                            detail: message,
                        }
                    })
                },
            )
        })
        .map_err(
            |e| match (write_error.lock().ok().and_then(|m| m.clone()), e) {
                (Some(message), _) => Failure::Check(format!("writing --out: {message}")),
                // θ running off to infinity is the user's rate/step combination, not a failed check.
                (None, thermocheck_numerics::Error::NotConverged { detail, .. }) => Failure::Input(
                    format!("learning diverged ({detail}); reduce --rate or increase --steps"),
                ),
                (None, other) => Failure::from(other),
            },
        )?;
    bar.finish_and_clear();

    if let (Some(mut w), Some(path)) = (csv, &args.out) {
        w.flush()
            .map_err(|e| Failure::Check(format!("writing {}: {e}", path.display())))?;
        outln!("wrote {rows} rows to {}", path.display());
        return Ok(Outcome::Passed);
    }

    let distance = args.target - args.start;
    let bias = run.objective - run.approximate_objective;
    // Everything that can still fail, before anything is printed.
    let w_star = protocol.min_excess_work(distance)?;
    let bound = protocol.lower_bound(run.theta[0] - args.start)?;
    outln!(
        "persistent-chain learning: schedule {}, N = {}, K = {}, seed {}, threads {threads}",
        schedule.label(),
        args.particles,
        args.steps,
        args.seed
    );
    outln!("RNG: {}", thermocheck_numerics::RNG_ALGORITHM);
    outln!(
        "θ_T                      {:.9e}   (target {})",
        run.theta[0],
        args.target
    );
    outln!(
        "mean work ⟨W⟩            {:.9e} ± {:.2e}   (± σ̂/√N per particle; feedback through θ can widen the run-to-run spread)",
        run.work.mean(),
        run.work.standard_error()
    );
    outln!("sd(W)                    {:.9e}", run.work.std_dev());
    outln!(
        "⟨e^(−W)⟩                 {:.9e}   (Jarzynski: 1)",
        run.exp_minus_work.mean()
    );
    outln!("bias L − L̃              {bias:.9e}");
    outln!(
        "(L − L̃) − (ΣW − ΔF)      {:.3e}   (D8: zero to round-off)",
        run.identity_residual()
    );
    outln!(
        "closed-form W* (D12)     {w_star:.9e}   (the minimum over all schedules reaching θ_T = target)"
    );
    outln!("lower bound (D18)        {bound:.9e}   (for the θ_T actually reached)");
    Ok(Outcome::Passed)
}
