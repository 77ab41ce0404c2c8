//! `activation-efficiency.svg`: the work efficiency $\eta_\varphi(q) = \mathbb E[\varphi(z)^2]/q$,
//! $z \sim \mathcal N(0, q)$, of each activation against $q$ (T29).
//!
//! Lines: [`efficiency::efficiency`] (double-exponential quadrature). Markers: plain Monte Carlo
//! over standard normal draws from the numerics crate's thread-invariant streams
//! ([`Ensemble::gaussian`]), fixed seed; for the positively homogeneous activations also the
//! closed form $(a_+^2 + a_-^2)/2$ (T27, [`efficiency::closed_form_efficiency`]).

use super::Figure;
use super::plot::{self, Dash, Entry, Mark, Style};
use crate::Failure;
use plotters::prelude::*;
use thermocheck_numerics::sde::Ensemble;
use thermocheck_numerics::tolerance::DEFAULT_K;
use thermocheck_temperature::activation::Activation;
use thermocheck_temperature::efficiency;

const Q_MIN: f64 = 1e-2;
const Q_MAX: f64 = 1e2;
const ETA_MIN: f64 = 5e-3;
const ETA_MAX: f64 = 60.0;
const DRAWS: usize = 100_000;
const SEED: u64 = 0x7e4d_0605;
/// Leaky-ReLU slope: 0.5 keeps its constant efficiency 0.625 apart from ReLU's 0.5.
const LEAKY_SLOPE: f64 = 0.5;

struct Curve {
    activation: Activation,
    style: Style,
}

fn curves() -> Vec<Curve> {
    let c = |activation, label, colour, dash, mark| Curve {
        activation,
        style: Style {
            label,
            colour,
            dash,
            mark,
        },
    };
    vec![
        c(
            Activation::Linear,
            "linear",
            BLACK,
            Dash::Solid,
            Mark::Circle,
        ),
        c(
            Activation::Relu,
            "ReLU",
            plot::BLUE,
            Dash::Solid,
            Mark::Square,
        ),
        c(
            Activation::LeakyRelu { slope: LEAKY_SLOPE },
            "leaky ReLU (α = 0.5)",
            plot::SKY,
            Dash::Dashed,
            Mark::Diamond,
        ),
        c(
            Activation::Tanh,
            "tanh",
            plot::VERMILLION,
            Dash::Solid,
            Mark::Triangle,
        ),
        c(
            Activation::Sigmoid,
            "sigmoid",
            plot::ORANGE,
            Dash::Dashed,
            Mark::Circle,
        ),
        c(
            Activation::Gelu,
            "GELU",
            plot::GREEN,
            Dash::Dotted,
            Mark::Square,
        ),
        c(
            Activation::Elu,
            "ELU",
            plot::PURPLE,
            Dash::Long,
            Mark::Diamond,
        ),
        c(
            Activation::Softplus,
            "softplus",
            plot::GREY,
            Dash::Dashed,
            Mark::Triangle,
        ),
        c(
            Activation::Swish,
            "swish / SiLU",
            plot::WINE,
            Dash::Long,
            Mark::Cross,
        ),
    ]
}

pub fn figure() -> Result<Figure, Failure> {
    let curves = curves();
    let ensemble = Ensemble::gaussian(DRAWS, 0.0, 1.0, SEED)?;
    let line_q = plot::log_grid(Q_MIN, Q_MAX, 120);
    let mut lines = Vec::new();
    let mut marks = Vec::new();
    let mut worst_z: f64 = 0.0;
    let mut worst_relative: f64 = 0.0;
    let mut worst_closed: f64 = 0.0;
    let mut points = 0;
    for (i, c) in curves.iter().enumerate() {
        let mut line = Vec::new();
        for &q in &line_q {
            let eta = efficiency::efficiency(&c.activation, q)?.value;
            if (ETA_MIN..=ETA_MAX).contains(&eta) {
                line.push((q, eta));
            }
            if let Some(closed) = efficiency::closed_form_efficiency(&c.activation) {
                worst_closed = worst_closed.max((eta - closed).abs() / closed);
            }
        }
        let mut mark = Vec::new();
        // Five q per curve, one decade apart, shifted per curve so overlapping curves' markers
        // do not coincide.
        for k in 0..5 {
            let q = 10f64.powf(-2.0 + k as f64 + 0.11 * i as f64 - 0.4 * (k == 4) as u8 as f64);
            let expected = efficiency::efficiency(&c.activation, q)?.value;
            let root = q.sqrt();
            let mc = ensemble.moments_of(|u| {
                let v = c.activation.value(root * u);
                v * v / q
            });
            worst_z = worst_z.max((mc.mean() - expected).abs() / mc.standard_error());
            worst_relative = worst_relative.max((mc.mean() - expected).abs() / expected);
            points += 1;
            if (ETA_MIN..=ETA_MAX).contains(&mc.mean()) {
                mark.push((q, mc.mean()));
            }
        }
        lines.push(line);
        marks.push(mark);
    }
    let svg = plot::svg((plot::WIDTH, 560), |root| {
        let (panel, legend) = root.split_horizontally(plot::WIDTH - plot::LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&panel)
            .margin(14)
            .x_label_area_size(54)
            .y_label_area_size(84)
            .build_cartesian_2d((Q_MIN..Q_MAX).log_scale(), (ETA_MIN..ETA_MAX).log_scale())
            .map_err(plot::plot_error)?;
        plot::mesh(
            &mut chart,
            "pre-activation variance q  (z ~ N(0, q))",
            "work efficiency η(q) = E[φ(z)²] / q",
            &plot::log_tick,
            &plot::log_tick,
        )?;
        let styles: Vec<Style> = curves.iter().map(|c| c.style).collect();
        plot::curves_with_checks(&mut chart, &styles, &lines, &marks)?;
        let mut entries = vec![Entry::heading("quadrature + Monte Carlo:")];
        entries.extend(styles.iter().map(Entry::curve));
        plot::side_legend(&legend, 30, &entries)
    })?;
    let caption = format!(
        "Work efficiency η_φ(q) = E[φ(z)²]/q of each activation, z ~ N(0, q) (T29), against the \
         pre-activation variance q, log–log. Lines: `efficiency::efficiency` (double-exponential \
         quadrature at relative tolerance 10⁻¹²). The positively homogeneous activations \
         (linear, ReLU, leaky ReLU) are flat at (a₊² + a₋²)/2 (T27): max relative deviation of \
         the quadrature from that closed form {}. These are the type-A engines of T30; every \
         other activation is type B, its efficiency depending on q: tanh falls from 1 at small q \
         to (1 − √(2/(πq)))/q at large q (T31), sigmoid and softplus exceed 1 at small q \
         (non-zero output mean), GELU and swish rise from 1/4 to 1/2. **Independent \
         check:** plain Monte Carlo, {} standard normal draws u (numerics `Ensemble::gaussian`, \
         seed {:#x}), η ≈ mean of φ(√q u)²/q, at {} points (five q per activation, staggered): \
         largest deviation {:.2} standard errors (tolerance k = {} standard errors), largest \
         relative deviation {}.",
        plot::bound(worst_closed),
        DRAWS,
        SEED,
        points,
        worst_z,
        DEFAULT_K,
        plot::sci(worst_relative),
    );
    Ok(Figure {
        file: "activation-efficiency.svg",
        title: "Work efficiency of activations",
        svg,
        caption,
    })
}
