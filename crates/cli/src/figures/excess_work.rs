//! `excess-work-vs-duration.svg`: the excess work of the optimal, ramp and sudden protocols and
//! the linear-response value against the duration $T$, log–log (D12, D17, D19).
//!
//! Lines: the closed forms of [`GaussianProtocol`]. Markers: the exact work of each protocol
//! driven through the Gaussian chain's moment ODE ([`moments::drive`], M16), and for linear
//! response the quadrature of the excess power $\dot\theta\,\zeta\,\dot\theta$ of the ramp with
//! the translation friction $\zeta = 1/D$ ([`length::linear_response_excess_work`], M3).

use super::Figure;
use super::plot::{self, Dash, Entry, Mark, Style};
use crate::Failure;
use plotters::prelude::*;
use thermocheck_dissipation::energy::GaussianMean;
use thermocheck_dissipation::gaussian::GaussianProtocol;
use thermocheck_dissipation::moments::{self, MomentOptions};
use thermocheck_metric::gaussian::translation_friction;
use thermocheck_metric::length;
use thermocheck_metric::protocol::LinearProtocol;
use thermocheck_numerics::quad::QuadOptions;

/// $\sigma^2 = D = 1$ ($\tau = 1$), $\Delta = 1$: works in units of $\Delta^2/\sigma^2 = 1$.
const VARIANCE: f64 = 1.0;
const DIFFUSION: f64 = 1.0;
const DISTANCE: f64 = 1.0;
/// Range of $T/\tau$.
const T_MIN: f64 = 1e-2;
const T_MAX: f64 = 1e2;
/// Range of the work axis; the linear-response line is drawn where it lies inside.
const W_MIN: f64 = 5e-3;
const W_MAX: f64 = 3.0;

/// The four curves: name, style, closed form.
struct Curve {
    style: Style,
    closed: fn(&GaussianProtocol) -> Result<f64, thermocheck_numerics::Error>,
}

const CURVES: [Curve; 4] = [
    Curve {
        style: Style {
            label: "sudden (D19)",
            colour: plot::VERMILLION,
            dash: Dash::Dotted,
            mark: Mark::Triangle,
        },
        closed: |p| p.sudden_excess_work(DISTANCE),
    },
    Curve {
        style: Style {
            label: "ramp (D17)",
            colour: plot::ORANGE,
            dash: Dash::Dashed,
            mark: Mark::Square,
        },
        closed: |p| p.ramp_excess_work(DISTANCE),
    },
    Curve {
        style: Style {
            label: "optimal (D12)",
            colour: plot::BLUE,
            dash: Dash::Solid,
            mark: Mark::Circle,
        },
        closed: |p| p.min_excess_work(DISTANCE),
    },
    Curve {
        style: Style {
            label: "linear response",
            colour: plot::GREEN,
            dash: Dash::Long,
            mark: Mark::Diamond,
        },
        closed: |p| p.linear_response_excess_work(DISTANCE),
    },
];

/// The independent value of curve `index` at duration `t`, and its method's error estimate.
fn independent(index: usize, p: &GaussianProtocol) -> Result<(f64, f64), Failure> {
    let t = p.duration();
    let energy = GaussianMean::new(VARIANCE)?;
    let options = MomentOptions::default();
    let (start, target) = (0.0, DISTANCE);
    let run = match index {
        // Sudden: θ jumps 0 → Δ at t = 0 and stays (a constant protocol with a start jump).
        0 => {
            let hold = LinearProtocol::new(&[target], &[target], t)?;
            moments::drive(&energy, &hold, DIFFUSION, Some(&[start]), None, &options)?
        }
        // Ramp: θ = Δ t/T, no jumps.
        1 => {
            let ramp = LinearProtocol::new(&[start], &[target], t)?;
            moments::drive(&energy, &ramp, DIFFUSION, None, None, &options)?
        }
        // Optimal: linear from θ(0⁺) to θ(T⁻) with the two jumps.
        2 => {
            let inner = LinearProtocol::new(
                &[p.protocol_after_initial_jump(start, target)?],
                &[p.protocol_before_final_jump(start, target)?],
                t,
            )?;
            moments::drive(
                &energy,
                &inner,
                DIFFUSION,
                Some(&[start]),
                Some(&[target]),
                &options,
            )?
        }
        // Linear response: ∫ θ̇ ζ θ̇ dt of the ramp by quadrature, ζ = 1/D.
        _ => {
            let ramp = LinearProtocol::new(&[start], &[target], t)?;
            let zeta = |_: &[f64]| translation_friction(1, DIFFUSION);
            let r = length::linear_response_excess_work(&ramp, &zeta, &QuadOptions::default())?;
            return Ok((r.value, r.error_estimate));
        }
    };
    Ok((run.excess_work, run.error_estimate()))
}

pub fn figure() -> Result<Figure, Failure> {
    let line_points = plot::log_grid(T_MIN, T_MAX, 160);
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    let mut worst = [0.0f64; 4];
    let mut estimate: f64 = 0.0;
    for (i, c) in CURVES.iter().enumerate() {
        let mut line = Vec::new();
        for &t in &line_points {
            let w = (c.closed)(&GaussianProtocol::new(t, VARIANCE, DIFFUSION)?)?;
            if (W_MIN..=W_MAX).contains(&w) {
                line.push((t, w));
            }
        }
        let mut mark = Vec::new();
        // Staggered grids (half a decade apart, shifted per curve) so converging curves'
        // markers do not sit on top of each other.
        for k in 0..8 {
            let t = 10f64.powf(-2.0 + 0.5 * k as f64 + 0.1 * i as f64);
            let p = GaussianProtocol::new(t, VARIANCE, DIFFUSION)?;
            let expected = (c.closed)(&p)?;
            let (w, e) = independent(i, &p)?;
            worst[i] = worst[i].max((w - expected).abs() / expected);
            estimate = estimate.max(e / expected);
            if (W_MIN..=W_MAX).contains(&w) {
                mark.push((t, w));
            }
        }
        lines.push(line);
        marks.push(mark);
    }
    let svg = plot::svg((plot::WIDTH, plot::HEIGHT), |root| {
        let (panel, legend) = root.split_horizontally(plot::WIDTH - plot::LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&panel)
            .margin(14)
            .x_label_area_size(54)
            .y_label_area_size(84)
            .build_cartesian_2d((T_MIN..T_MAX).log_scale(), (W_MIN..W_MAX).log_scale())
            .map_err(plot::plot_error)?;
        plot::mesh(
            &mut chart,
            "duration T  (units of τ = σ²/D)",
            "excess work W_ex  (k_BT; Δ²/σ² = 1)",
            &plot::log_tick,
            &plot::log_tick,
        )?;
        let styles: Vec<Style> = CURVES.iter().map(|c| c.style).collect();
        plot::curves_with_checks(&mut chart, &styles, &lines, &marks)?;
        let mut entries = vec![Entry::heading("closed form + check:")];
        entries.extend(styles.iter().map(Entry::curve));
        entries.extend([
            Entry::heading(""),
            Entry::heading("markers: moment ODE"),
            Entry::heading("(M16); linear response:"),
            Entry::heading("quadrature of θ̇ζθ̇"),
        ]);
        plot::side_legend(&legend, 30, &entries)
    })?;
    let caption = format!(
        "Excess work of moving the mean of the Gaussian model by Δ = 1 in time T (σ² = D = 1, \
         τ = 1), log–log. Lines: the closed forms of `GaussianProtocol` — optimal \
         W*_ex = Δ²/(DT + 2σ²) (D12), linear ramp (D17), sudden jump Δ²/(2σ²) (D19) and linear \
         response Δ²/(DT) (D19, shown where it is below 3). **Independent check** at 8 durations \
         per curve: the exact work of each protocol driven through the Gaussian chain's moment \
         ODE (`moments::drive`, M16: W_ex integrated as the excess power plus the jumps' excess), \
         and for linear response the quadrature of the ramp's excess power θ̇ζθ̇ with the \
         translation friction ζ = 1/D (`length::linear_response_excess_work`, M3). Max relative \
         deviation: optimal {}, ramp {}, sudden {}, linear response {} (largest relative error \
         estimate of the methods: {}).",
        plot::bound(worst[2]),
        plot::bound(worst[1]),
        plot::bound(worst[0]),
        plot::bound(worst[3]),
        plot::bound(estimate),
    );
    Ok(Figure {
        file: "excess-work-vs-duration.svg",
        title: "Excess work against duration",
        svg,
        caption,
    })
}
