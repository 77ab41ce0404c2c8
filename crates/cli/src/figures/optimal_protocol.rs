//! `optimal-protocol.svg`: the optimal protocol $\theta^*(t)$, chain mean $m^*(t)$ and learning
//! rate $\eta^*(t)$ of the Gaussian-mean problem (D13, D14) for several $T/\tau$, with the two
//! jumps and the two impulses marked.
//!
//! Lines: the closed forms of [`GaussianProtocol`]. Markers: $\theta$ and $m$ from the exact
//! $N\to\infty$ moment ODE driven by the optimal schedule ([`moments::learn`]); $\eta$ from the
//! natural-gradient inverse design of M20, $H = c\,(G + c\zeta)^{-1}$ with $G = \zeta = 1/D$
//! ([`translation_friction`]) and the spec's rate $c = \tau/(T + \tau - t)$.

use super::Figure;
use super::plot::{self, Chart, Dash, Entry, Mark};
use crate::Failure;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use thermocheck_dissipation::data::Data;
use thermocheck_dissipation::energy::GaussianMean;
use thermocheck_dissipation::gaussian::GaussianProtocol;
use thermocheck_dissipation::learning::LearningProblem;
use thermocheck_dissipation::moments::{self, MomentOptions};
use thermocheck_metric::gaussian::translation_friction;
use thermocheck_metric::natural_gradient::inverse_design;

/// $\sigma^2 = D = 1$, so $\tau = 1$ and $T/\tau = T$.
const VARIANCE: f64 = 1.0;
const DIFFUSION: f64 = 1.0;
/// $\theta_0 = 0 \to \mu_D = 1$: $\Delta = 1$.
const START: f64 = 0.0;
const TARGET: f64 = 1.0;
/// The durations $T/\tau$ and their colours.
const DURATIONS: [(f64, RGBColor); 3] = [
    (0.5, plot::BLUE),
    (2.0, plot::VERMILLION),
    (10.0, plot::GREEN),
];
/// Output intervals of the ODE (markers per curve minus one).
const INTERVALS: usize = 8;
/// Curve resolution.
const CURVE_POINTS: usize = 200;

/// The curves and checks of one duration.
struct Run {
    colour: RGBColor,
    reduced: f64,
    theta_curve: Vec<(f64, f64)>,
    mean_curve: Vec<(f64, f64)>,
    rate_curve: Vec<(f64, f64)>,
    /// $\theta(0^+)$, $\theta(T^-)$.
    jumps: (f64, f64),
    /// $\eta_0$, $\eta_T$.
    impulses: (f64, f64),
    theta_marks: Vec<(f64, f64)>,
    mean_marks: Vec<(f64, f64)>,
    rate_marks: Vec<(f64, f64)>,
    /// Largest |ODE − closed form| of θ and m, and of the M20 η.
    deviation: f64,
    rate_deviation: f64,
    ode_error_estimate: f64,
}

fn run(duration: f64, colour: RGBColor) -> Result<Run, Failure> {
    let p = GaussianProtocol::new(duration, VARIANCE, DIFFUSION)?;
    let tau = p.relaxation_time();
    let open = |i: usize| duration * i as f64 / CURVE_POINTS as f64;
    let mut theta_curve = Vec::new();
    let mut rate_curve = Vec::new();
    for i in 1..CURVE_POINTS {
        let t = open(i);
        theta_curve.push((t / duration, p.optimal_protocol(START, TARGET, t)?));
        rate_curve.push((t / duration, p.optimal_learning_rate(t)?));
    }
    // The one-sided limits close the open-interval curves.
    let after = p.protocol_after_initial_jump(START, TARGET)?;
    let before = p.protocol_before_final_jump(START, TARGET)?;
    theta_curve.insert(0, (0.0, after));
    theta_curve.push((1.0, before));
    let (rate0, rate_t) = p.optimal_learning_rate_limits();
    rate_curve.insert(0, (0.0, rate0));
    rate_curve.push((1.0, rate_t));
    let mean_curve = (0..=CURVE_POINTS)
        .map(|i| {
            let t = open(i);
            Ok((t / duration, p.optimal_chain_mean(START, TARGET, t)?))
        })
        .collect::<Result<Vec<_>, Failure>>()?;

    // Independent: the moment ODE of persistent-chain learning with the optimal schedule.
    let schedule = p.optimal_schedule(true)?;
    let energy = GaussianMean::new(VARIANCE)?;
    let data = Data::gaussian(TARGET, 0.0)?;
    let problem = LearningProblem::new(&energy, &data, &schedule, &[START], DIFFUSION)?;
    let options = MomentOptions {
        output_intervals: INTERVALS,
        ..MomentOptions::default()
    };
    let ode = moments::learn(&problem, &options)?;
    let mut theta_marks = Vec::new();
    let mut mean_marks = Vec::new();
    let mut deviation: f64 = 0.0;
    let last = ode.times.len() - 1;
    for (i, &t) in ode.times.iter().enumerate() {
        let u = t / duration;
        // θ just after the jump at 0, just before and after the jump at T, else continuous.
        let (theta, expected) = if i == 0 {
            (ode.after[i].theta[0], after)
        } else if i == last {
            (ode.before[i].theta[0], before)
        } else {
            (ode.after[i].theta[0], p.optimal_protocol(START, TARGET, t)?)
        };
        theta_marks.push((u, theta));
        deviation = deviation.max((theta - expected).abs());
        let m = ode.before[i].chain_mean;
        mean_marks.push((u, m));
        deviation = deviation.max((m - p.optimal_chain_mean(START, TARGET, t)?).abs());
    }
    let end = ode.final_point().theta[0];
    theta_marks.push((1.0, end));
    deviation = deviation.max((end - TARGET).abs());

    // Independent η: M20's inverse design with G = ζ = 1/D and c = τ/(T + τ − t).
    let g = translation_friction(1, DIFFUSION)?;
    let mut rate_marks = Vec::new();
    let mut rate_deviation: f64 = 0.0;
    for i in 0..=INTERVALS {
        let t = duration * i as f64 / INTERVALS as f64;
        let c = tau / (duration + tau - t);
        let h = inverse_design(&g, &g, c)?[(0, 0)];
        let expected = if i == 0 {
            rate0
        } else if i == INTERVALS {
            rate_t
        } else {
            p.optimal_learning_rate(t)?
        };
        rate_deviation = rate_deviation.max((h - expected).abs());
        rate_marks.push((t / duration, h));
    }
    Ok(Run {
        colour,
        reduced: p.reduced_duration(),
        theta_curve,
        mean_curve,
        rate_curve,
        jumps: (after, before),
        impulses: (p.initial_impulse(), p.final_impulse()),
        theta_marks,
        mean_marks,
        rate_marks,
        deviation,
        rate_deviation,
        ode_error_estimate: ode.report.error_estimate.unwrap_or(0.0),
    })
}

/// Horizontal offset of the arrows of run `i` (so the three do not overlap), in units of t/T.
fn arrow_offset(i: usize) -> f64 {
    0.018 * i as f64
}

fn top_panel(
    chart: &mut Chart<'_, '_, impl Ranged<ValueType = f64>, impl Ranged<ValueType = f64>>,
    runs: &[Run],
) -> Result<(), Failure> {
    for (i, r) in runs.iter().enumerate() {
        plot::line(chart, r.theta_curve.clone(), r.colour, Dash::Solid)?;
        plot::line(chart, r.mean_curve.clone(), r.colour, Dash::Dashed)?;
        let dx = arrow_offset(i);
        plot::arrow(chart, (-dx, START), (-dx, r.jumps.0), r.colour)?;
        plot::arrow(chart, (1.0 + dx, r.jumps.1), (1.0 + dx, TARGET), r.colour)?;
    }
    for r in runs {
        plot::markers(chart, r.theta_marks.clone(), r.colour, Mark::Circle, true)?;
        plot::markers(chart, r.mean_marks.clone(), r.colour, Mark::Square, false)?;
    }
    let left = Pos::new(HPos::Left, VPos::Center);
    plot::text(chart, "arrows: jumps τv of θ", (0.03, 0.97), left, BLACK)?;
    plot::text(chart, "at t = 0 and t = T", (0.03, 0.89), left, BLACK)?;
    Ok(())
}

fn bottom_panel(
    chart: &mut Chart<'_, '_, impl Ranged<ValueType = f64>, impl Ranged<ValueType = f64>>,
    runs: &[Run],
) -> Result<(), Failure> {
    for (i, r) in runs.iter().enumerate() {
        plot::line(chart, r.rate_curve.clone(), r.colour, Dash::Solid)?;
        let dx = arrow_offset(i);
        plot::arrow(chart, (-dx, 0.0), (-dx, r.impulses.0), r.colour)?;
        plot::arrow(chart, (1.0 + dx, 0.0), (1.0 + dx, r.impulses.1), r.colour)?;
    }
    for r in runs {
        plot::markers(chart, r.rate_marks.clone(), r.colour, Mark::Diamond, false)?;
    }
    let left = Pos::new(HPos::Left, VPos::Center);
    let right = Pos::new(HPos::Right, VPos::Center);
    plot::text(chart, "impulse η₀δ(t)", (0.05, 0.05), left, BLACK)?;
    plot::text(chart, "impulse η_T δ(t − T)", (0.93, 0.05), right, BLACK)?;
    Ok(())
}

pub fn figure() -> Result<Figure, Failure> {
    let runs = DURATIONS
        .iter()
        .map(|&(t, c)| run(t, c))
        .collect::<Result<Vec<_>, _>>()?;
    let size = (plot::WIDTH, 760);
    let svg = plot::svg(size, |root| {
        let (panels, legend) = root.split_horizontally(plot::WIDTH - plot::LEGEND_WIDTH);
        let (top, bottom) = panels.split_vertically(400);
        let x_range = -0.06..1.06;
        let mut chart = ChartBuilder::on(&top)
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(78)
            .build_cartesian_2d(x_range.clone(), -0.05..1.06)
            .map_err(plot::plot_error)?;
        plot::mesh(
            &mut chart,
            "time t / T",
            "θ*(t), m*(t)  (units of Δ)",
            &plot::fixed(1),
            &plot::fixed(1),
        )?;
        top_panel(&mut chart, &runs)?;
        let y_max = 0.56;
        let mut chart = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(78)
            .build_cartesian_2d(x_range, 0.0..y_max)
            .map_err(plot::plot_error)?;
        plot::mesh(
            &mut chart,
            "time t / T",
            "η*(t)  (units of D)",
            &plot::fixed(1),
            &plot::fixed(1),
        )?;
        bottom_panel(&mut chart, &runs)?;
        let mut entries: Vec<Entry> = runs
            .iter()
            .map(|r| Entry::line(format!("T/τ = {}", r.reduced), r.colour, Dash::Solid))
            .collect();
        entries.extend([
            Entry::heading(""),
            Entry::heading("closed forms:"),
            Entry::line("θ*(t)  (D13)", plot::GREY, Dash::Solid),
            Entry::line("m*(t)  (D13)", plot::GREY, Dash::Dashed),
            Entry::line("η*(t)  (D14)", plot::GREY, Dash::Solid),
            Entry::heading(""),
            Entry::heading("independent:"),
            Entry::mark("θ, moment ODE", plot::GREY, Mark::Circle, true),
            Entry::mark("m, moment ODE", plot::GREY, Mark::Square, false),
            Entry::mark("η, M20 design", plot::GREY, Mark::Diamond, false),
            Entry::heading(""),
            Entry::heading("arrows: jumps of θ"),
            Entry::heading("and impulses η₀, η_T"),
            Entry::heading("(height = weight,"),
            Entry::heading(" units of σ²; τ = 1)"),
        ]);
        plot::side_legend(&legend, 30, &entries)
    })?;
    let deviation = runs.iter().map(|r| r.deviation).fold(0.0, f64::max);
    let rate_deviation = runs.iter().map(|r| r.rate_deviation).fold(0.0, f64::max);
    let estimate = runs
        .iter()
        .map(|r| r.ode_error_estimate)
        .fold(0.0, f64::max);
    let caption = format!(
        "Optimal protocol of the Gaussian-mean problem (D13, D14) moving θ from θ₀ = 0 to \
         μ_D = 1 (Δ = 1) with σ² = D = 1 (τ = σ²/D = 1) for T/τ = 0.5, 2 and 10, against time \
         t/T. Lines: the closed forms θ*(t), m*(t) and η*(t) of \
         `GaussianProtocol`. Arrows: the jumps θ₀ → θ(0⁺) and θ(T⁻) → μ_D (each τv = Δ/(T/τ + 2)) \
         and the impulses η₀ = σ²/(T/τ + 2) at t = 0 and η_T = σ²/2 at t = T (arrows offset \
         slightly for visibility). **Independent check:** θ (after the jump at 0, before and \
         after the jump at T) and m at {} output times from the exact N → ∞ moment ODE of \
         persistent-chain learning (`moments::learn`, Dopri5 at rtol 10⁻¹¹) driven by the \
         optimal schedule: max |ODE − closed form| {} (the ODE's own error estimate: {}); η \
         from the natural-gradient inverse design of M20, H = c(G + cζ)⁻¹ with G = ζ = 1/D and \
         c = τ/(T + τ − t): max |M20 − D14| {}.",
        INTERVALS + 1,
        plot::bound(deviation),
        plot::bound(estimate),
        plot::bound(rate_deviation),
    );
    Ok(Figure {
        file: "optimal-protocol.svg",
        title: "Optimal protocol θ*(t), m*(t), η*(t)",
        svg,
        caption,
    })
}
