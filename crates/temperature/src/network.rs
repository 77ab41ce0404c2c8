//! Fully connected networks: local and global temperatures (T25–T28).
//!
//! The network (T25) is $h_0 = x \in \mathbb R^{n_0}$, $z_l = W_lh_{l-1}$, $h_l = \varphi(z_l)$ for
//! $l = 1..L$, and the readout $\hat y = W_{L+1}h_L$ with $n_{L+1} = 1$; no biases. $W_l$ has i.i.d.
//! zero-mean entries of variance $v_l$ (normal, or uniform on $\pm\sqrt{3v_l}$). Layer $l$ has
//! $N_l = n_ln_{l-1}$ parameters; scaling it by $\vartheta_l$ changes its entropy by
//! $dS_l = N_l\,d\ln\vartheta_l$ (T3), so the local temperature is
//! $$T_l = \frac{\partial E}{\partial S_l} = \frac1{N_l}\frac{\partial E}{\partial\ln\vartheta_l},
//! \qquad E = \mathbb E_W\big[(y - \hat y)^2\big]\ \text{(MSE, per sample)}.$$
//!
//! Three ways to get it:
//!
//! | method | what | spec |
//! |---|---|---|
//! | [`Network::product_law`] | exact at finite width for positively homogeneous $\varphi$: $\mathbb E[\hat y^2\mid x] = v_1r^2\prod_{l\ge2}(\eta_\varphi n_{l-1}v_l)$, $T_l = 2\mathbb E\hat y^2/N_l$ | T27 |
//! | [`Network::mean_field`] | the wide-layer recursion $q_l = v_ln_{l-1}Q(q_{l-1})$, $T_l = \frac2{N_l}q_l\prod_{k>l}\chi_k$ | T28 |
//! | [`Network::monte_carlo`] | sampled weights: central differences in $\ln\vartheta_l$ with common random numbers, and the virial $\mathbb E\langle W_l, \nabla_{W_l}\ell\rangle/N_l$ by forward-mode differentiation | T25, T26 |
//!
//! The global temperature (T26) with all layers scaled together is $T = \sum_lN_lT_l/\sum_lN_l$.

use crate::activation::Activation;
use crate::efficiency::{homogeneous_efficiency, marginal_efficiency, second_moment};
use rand::RngExt;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use thermocheck_numerics::error::{self, Error, Result};
use thermocheck_numerics::sde::{Xoshiro256PlusPlus, streams};
use thermocheck_numerics::stats::Welford;

/// The law of the weight entries (zero mean, variance $v_l$).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightInit {
    /// $\mathcal N(0, v_l)$.
    Normal,
    /// $\mathcal U(-a_l, a_l)$ with $a_l = \sqrt{3v_l}$.
    Uniform,
}

/// A validated fully connected network without biases (T25).
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    widths: Vec<usize>,
    variances: Vec<f64>,
    activation: Activation,
    init: WeightInit,
}

/// Energy and temperatures of a network at one input (per sample, MSE): the local
/// $T_l = \mathbb E\big[\langle W_l,\nabla_{W_l}\ell\rangle\big]/N_l$ (T25) and the global
/// $T = \sum_lN_lT_l/\sum_lN_l$ (T26).
#[derive(Debug, Clone, PartialEq)]
pub struct Temperatures {
    /// $\mathbb E[\hat y^2\mid x]$, the energy above $y^2$: $E = y^2 + \mathbb E[\hat y^2\mid x]$.
    pub output_energy: f64,
    /// $T_l$ for $l = 1..L+1$ (T25).
    pub local: Vec<f64>,
    /// $T = \sum_lN_lT_l/\sum_lN_l$ (T26).
    pub global: f64,
}

/// The mean-field recursion of T28 at one input.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanField {
    /// $q_l$ for $l = 1..L+1$; $q_{L+1} = \mathbb E[\hat y^2\mid x]$.
    pub q: Vec<f64>,
    /// $\chi_k = v_kn_{k-1}Q'(q_{k-1})$ for $k = 2..L+1$.
    pub chi: Vec<f64>,
    /// Neighbour ratios $N_lT_l/(N_{l+1}T_{l+1}) = q_lQ'(q_l)/Q(q_l)$ for $l = 1..L$.
    pub ratios: Vec<f64>,
    /// The temperatures.
    pub temperatures: Temperatures,
    /// First-order relative error estimate of every entry, from the quadratures' estimates.
    pub relative_error_estimate: f64,
}

/// What the readout contributes in [`Network::monte_carlo`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readout {
    /// $W_{L+1}$ is sampled like every other layer.
    Sampled,
    /// $W_{L+1}$ is integrated out analytically: $\mathbb E[(y - \hat y)^2\mid h_L] = y^2 +
    /// v_{L+1}\lVert h_L\rVert^2$ (its entries are independent, zero mean). Removes the readout's
    /// sampling noise (TV14).
    Integrated,
}

/// Options of [`Network::monte_carlo`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonteCarloOptions {
    /// Number of independent weight draws $N \ge 2$.
    pub draws: usize,
    /// Step $h$ in $\ln\vartheta$ of the central differences (also run at $2h$).
    pub step: f64,
    /// Master seed of the random streams.
    pub seed: u64,
    /// Readout treatment.
    pub readout: Readout,
}

/// Weight draws per chunk: the unit of parallel work and of random-stream assignment, fixed so
/// that results do not depend on the thread count.
pub const DRAWS_PER_CHUNK: usize = 32;

/// Monte Carlo estimates of [`Network::monte_carlo`]: per-draw values accumulated in Welford
/// form, so each mean comes with its sample standard deviation.
#[derive(Debug, Clone, PartialEq)]
pub struct MonteCarloReport {
    /// $(y - \hat y)^2$ (or its readout-integrated form) per draw.
    pub energy: Welford,
    /// Central difference $[e(\vartheta_le^{h}) - e(\vartheta_le^{-h})]/(2hN_l)$ per layer.
    pub local_difference: Vec<Welford>,
    /// The same at step $2h$ (its deviation from step $h$ is about 3× the $O(h^2)$ truncation error
    /// of step $h$).
    pub local_difference_double_step: Vec<Welford>,
    /// Virial $\langle W_l, \nabla_{W_l}\ell\rangle/N_l$ per layer (T25), by forward-mode tangents.
    pub local_virial: Vec<Welford>,
    /// Central difference with every layer scaled together, divided by $\sum_lN_l$ (T26).
    pub global_difference: Welford,
    /// The same at step $2h$.
    pub global_difference_double_step: Welford,
    /// Per draw: global difference minus $\sum_lN_l\times$ local difference$/\sum_lN_l$ (first law:
    /// 0 up to the $O(h^2)$ truncation).
    pub first_law_gap: Welford,
}

impl MonteCarloReport {
    /// $|\bar D_l(h) - \bar D_l(2h)|$: an estimate of the truncation error of the layer-$l$ central
    /// difference ($D(2h) - D(h) \approx 3ch^2$ while the error of $D(h)$ is $ch^2$: a margin of 3).
    pub fn local_truncation(&self, layer: usize) -> f64 {
        (self.local_difference[layer].mean() - self.local_difference_double_step[layer].mean())
            .abs()
    }

    /// The same for the global central difference.
    pub fn global_truncation(&self) -> f64 {
        (self.global_difference.mean() - self.global_difference_double_step.mean()).abs()
    }
}

impl Network {
    /// A network with widths $n_0, \dots, n_{L+1}$ ($n_{L+1} = 1$), weight variances
    /// $v_1, \dots, v_{L+1}$, activation $\varphi$ and weight law.
    ///
    /// # Errors
    /// - [`Error::InvalidParameter`] (`widths`) for fewer than two widths, (`widths[i]`) for a
    ///   zero width or a last width other than 1;
    /// - [`Error::DimensionMismatch`] (`variances`) unless there is one variance per weight layer
    ///   (`widths.len() - 1`): the widths and variances must chain;
    /// - [`Error::InvalidParameter`] (`variances[i]`) for a variance that is not finite and > 0.
    pub fn new(
        widths: &[usize],
        variances: &[f64],
        activation: Activation,
        init: WeightInit,
    ) -> Result<Self> {
        error::count_at_least("widths", widths.len(), 2)?;
        for (i, &w) in widths.iter().enumerate() {
            error::count_at_least(&format!("widths[{i}]"), w, 1)?;
        }
        let last = widths.len() - 1;
        if widths[last] != 1 {
            return Err(Error::InvalidParameter {
                parameter: format!("widths[{last}]"),
                requirement: error::Requirement::InRange { min: 1.0, max: 1.0 },
                value: widths[last] as f64,
            });
        }
        error::length("variances", variances.len(), widths.len() - 1)?;
        for (i, &v) in variances.iter().enumerate() {
            error::positive(&format!("variances[{i}]"), v)?;
        }
        Ok(Network {
            widths: widths.to_vec(),
            variances: variances.to_vec(),
            activation,
            init,
        })
    }

    /// The widths $n_0, \dots, n_{L+1}$.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }

    /// The variances $v_1, \dots, v_{L+1}$.
    pub fn variances(&self) -> &[f64] {
        &self.variances
    }

    /// The activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The number of weight layers $L + 1$.
    pub fn weight_layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// The parameter counts $N_l = n_ln_{l-1}$, $l = 1..L+1$.
    pub fn parameter_counts(&self) -> Vec<usize> {
        self.widths.windows(2).map(|w| w[0] * w[1]).collect()
    }

    /// Temperatures from $\mathbb E\hat y^2$ and $D_l = \partial\mathbb E\hat y^2/\partial\ln\vartheta_l$.
    fn temperatures(&self, output_energy: f64, derivatives: &[f64]) -> Temperatures {
        let counts = self.parameter_counts();
        let local = derivatives
            .iter()
            .zip(&counts)
            .map(|(d, &n)| d / n as f64)
            .collect();
        let total: usize = counts.iter().sum();
        Temperatures {
            output_energy,
            local,
            global: derivatives.iter().sum::<f64>() / total as f64,
        }
    }

    fn squared_norm(parameter: &str, r2: f64) -> Result<f64> {
        error::positive(parameter, r2)
    }

    /// The product law (T27), exact at finite width for positively homogeneous activations and
    /// any symmetric weight law:
    /// $$\mathbb E[\hat y^2\mid x] = v_1r^2\prod_{l=2}^{L+1}\big(\eta_\varphi n_{l-1}v_l\big),\quad
    /// T_l = \frac{2\,\mathbb E\hat y^2}{N_l},\quad T = \frac{2(L+1)\,\mathbb E\hat y^2}{\sum_lN_l},$$
    /// where $r^2 = \lVert x\rVert^2$ and $\eta_\varphi = (a_+^2 + a_-^2)/2$
    /// ([`homogeneous_efficiency`]). Each layer's scale enters $\mathbb E\hat y^2$ once, squared,
    /// hence $\partial\mathbb E\hat y^2/\partial\ln\vartheta_l = 2\mathbb E\hat y^2$.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`r2`) unless $r^2$ is finite and > 0; [`Error::Parse`]
    /// (`activation`) if the activation is not positively homogeneous (use [`Network::mean_field`]).
    pub fn product_law(&self, r2: f64) -> Result<Temperatures> {
        let r2 = Self::squared_norm("r2", r2)?;
        let (p, m) = self
            .activation
            .homogeneous_slopes()
            .ok_or_else(|| Error::Parse {
                parameter: "activation".to_owned(),
                expected: "positively homogeneous (linear, relu, leaky-relu) for the product law \
                           T27; use the mean-field recursion T28"
                    .to_owned(),
                text: self.activation.name().to_owned(),
            })?;
        let eta = homogeneous_efficiency(p, m);
        let mut energy = self.variances[0] * r2;
        for l in 1..self.variances.len() {
            energy *= eta * self.widths[l] as f64 * self.variances[l];
        }
        let d = vec![2.0 * energy; self.weight_layers()];
        Ok(self.temperatures(energy, &d))
    }

    /// The mean-field recursion (T28), exact as the hidden widths grow:
    /// $$q_1 = v_1r^2,\quad q_l = v_ln_{l-1}Q(q_{l-1}),\quad \chi_k = v_kn_{k-1}Q'(q_{k-1}),\quad
    /// T_l = \frac2{N_l}\,q_l\prod_{k=l+1}^{L+1}\chi_k,$$
    /// where $Q(q) = \mathbb E_{z\sim\mathcal N(0,q)}\varphi(z)^2$ ([`second_moment`]) and $Q'$ its
    /// derivative ([`marginal_efficiency`]); $q_{L+1} = \mathbb E[\hat y^2\mid x]$. Derivation:
    /// scaling layer $l$ multiplies $q_l$ by $\vartheta_l^2$ and $\partial q_k/\partial q_{k-1} =
    /// \chi_k$. The neighbour ratio $N_lT_l/(N_{l+1}T_{l+1}) = q_lQ'(q_l)/Q(q_l)$ is 1 for
    /// homogeneous activations (then this equals [`Network::product_law`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`r2`) unless $r^2$ is finite and > 0; quadrature errors.
    pub fn mean_field(&self, r2: f64) -> Result<MeanField> {
        let r2 = Self::squared_norm("r2", r2)?;
        let layers = self.weight_layers();
        let mut q = vec![self.variances[0] * r2];
        let mut chi = Vec::with_capacity(layers - 1);
        let mut ratios = Vec::with_capacity(layers - 1);
        let mut rel = 0.0;
        for l in 1..layers {
            let prev = q[l - 1];
            let work = second_moment(&self.activation, prev)?;
            let slope = marginal_efficiency(&self.activation, prev)?;
            let fan_in = self.widths[l] as f64 * self.variances[l];
            q.push(fan_in * work.value);
            chi.push(fan_in * slope.value);
            ratios.push(prev * slope.value / work.value);
            rel +=
                work.error_estimate / work.value.abs() + slope.error_estimate / slope.value.abs();
        }
        let d: Vec<f64> = (0..layers)
            .map(|l| 2.0 * q[l] * chi[l..].iter().product::<f64>())
            .collect();
        let temperatures = self.temperatures(q[layers - 1], &d);
        Ok(MeanField {
            q,
            chi,
            ratios,
            temperatures,
            relative_error_estimate: rel,
        })
    }

    /// Monte Carlo temperatures at input $x$ and target $y$ over `options.draws` independent weight
    /// draws $W_l = \vartheta_lU_l$ (T25, T26), with common random numbers across the scale
    /// perturbations: per draw, the central differences in $\ln\vartheta_l$ at steps $h$ and $2h$,
    /// the same with all scales moved together, and the virial
    /// $\langle W_l,\nabla_{W_l}\ell\rangle = \frac{d}{d\rho}\ell(\rho W_l)\big|_{\rho=1}$ by a
    /// forward-mode tangent ($\dot z_l = z_l$, $\dot h_k = \varphi'(z_k)\odot\dot z_k$,
    /// $\dot z_{k+1} = W_{k+1}\dot h_k$). No formula of T27/T28 is used.
    ///
    /// Reproducible: draws are grouped in chunks of [`DRAWS_PER_CHUNK`]; chunk $j$ uses stream $j$
    /// of [`streams`]`(seed, ·)` and chunk results are merged in order, so the result does not
    /// depend on the thread count.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] (`x`) unless $x$ has $n_0$ entries; [`Error::InvalidParameter`]
    /// for a non-finite $x_i$ or $y$, fewer than 2 draws, or a step outside $(0, 0.5]$.
    pub fn monte_carlo(
        &self,
        x: &[f64],
        y: f64,
        options: &MonteCarloOptions,
    ) -> Result<MonteCarloReport> {
        error::length("x", x.len(), self.widths[0])?;
        error::all_finite("x", x)?;
        let y = error::finite("y", y)?;
        error::count_at_least("draws", options.draws, 2)?;
        error::positive("step", options.step)?;
        error::in_range("step", options.step, 0.0, 0.5)?;
        let chunks = options.draws.div_ceil(DRAWS_PER_CHUNK);
        let rngs = streams(options.seed, chunks);
        let parts: Vec<Accumulator> = rngs
            .into_par_iter()
            .enumerate()
            .map(|(j, mut rng)| {
                let count = DRAWS_PER_CHUNK.min(options.draws - j * DRAWS_PER_CHUNK);
                let mut acc = Accumulator::new(self.weight_layers());
                let mut draw = Draw::new(self);
                for _ in 0..count {
                    draw.sample(self, &mut rng);
                    draw.evaluate(self, x, y, options, &mut acc);
                }
                acc
            })
            .collect();
        let total = parts
            .iter()
            .fold(Accumulator::new(self.weight_layers()), |a, b| a.merge(b));
        Ok(total.into_report())
    }
}

/// Per-draw sums of one chunk.
#[derive(Debug, Clone)]
struct Accumulator {
    energy: Welford,
    local: Vec<Welford>,
    local_double: Vec<Welford>,
    virial: Vec<Welford>,
    global: Welford,
    global_double: Welford,
    gap: Welford,
}

impl Accumulator {
    fn new(layers: usize) -> Self {
        Accumulator {
            energy: Welford::new(),
            local: vec![Welford::new(); layers],
            local_double: vec![Welford::new(); layers],
            virial: vec![Welford::new(); layers],
            global: Welford::new(),
            global_double: Welford::new(),
            gap: Welford::new(),
        }
    }

    fn merge(&self, other: &Accumulator) -> Accumulator {
        let zip = |a: &[Welford], b: &[Welford]| -> Vec<Welford> {
            a.iter().zip(b).map(|(x, y)| x.merge(y)).collect()
        };
        Accumulator {
            energy: self.energy.merge(&other.energy),
            local: zip(&self.local, &other.local),
            local_double: zip(&self.local_double, &other.local_double),
            virial: zip(&self.virial, &other.virial),
            global: self.global.merge(&other.global),
            global_double: self.global_double.merge(&other.global_double),
            gap: self.gap.merge(&other.gap),
        }
    }

    fn into_report(self) -> MonteCarloReport {
        MonteCarloReport {
            energy: self.energy,
            local_difference: self.local,
            local_difference_double_step: self.local_double,
            local_virial: self.virial,
            global_difference: self.global,
            global_difference_double_step: self.global_double,
            first_law_gap: self.gap,
        }
    }
}

/// One weight draw $U_l$ (unit scales) and the buffers of its forward passes.
struct Draw {
    /// Hidden weight matrices $U_1..U_L$, row-major $n_l\times n_{l-1}$.
    hidden: Vec<Vec<f64>>,
    /// Readout row $U_{L+1}$ (only read when sampled).
    readout: Vec<f64>,
}

impl Draw {
    fn new(net: &Network) -> Self {
        let hidden = net.widths.windows(2).take(net.weight_layers() - 1);
        Draw {
            hidden: hidden.map(|w| vec![0.0; w[0] * w[1]]).collect(),
            readout: vec![0.0; net.widths[net.widths.len() - 2]],
        }
    }

    fn sample(&mut self, net: &Network, rng: &mut Xoshiro256PlusPlus) {
        let layers = net.weight_layers();
        let mut fill = |buf: &mut [f64], v: f64| match net.init {
            WeightInit::Normal => {
                let sd = v.sqrt();
                buf.iter_mut()
                    .for_each(|w| *w = sd * rng.sample::<f64, _>(StandardNormal));
            }
            WeightInit::Uniform => {
                let a = (3.0 * v).sqrt();
                buf.iter_mut()
                    .for_each(|w| *w = a * (2.0 * rng.random::<f64>() - 1.0));
            }
        };
        for l in 0..layers - 1 {
            fill(&mut self.hidden[l], net.variances[l]);
        }
        fill(&mut self.readout, net.variances[layers - 1]);
    }

    /// $W h$ for the hidden layer with index `l` (0-based: $W_{l+1}$).
    fn matvec(&self, net: &Network, l: usize, h: &[f64], out: &mut Vec<f64>) {
        let cols = net.widths[l];
        out.clear();
        out.extend(
            self.hidden[l]
                .chunks_exact(cols)
                .map(|row| row.iter().zip(h).map(|(w, x)| w * x).sum::<f64>()),
        );
    }

    /// $h_L$ from the pre-activation `z` of hidden layer index `from` (0-based), with the later
    /// hidden layers scaled by `scale`.
    fn forward_from(&self, net: &Network, from: usize, z: &[f64], scale: f64) -> Vec<f64> {
        let phi = net.activation;
        let mut h: Vec<f64> = z.iter().map(|&v| phi.value(v)).collect();
        let mut buf = Vec::new();
        for l in from + 1..net.weight_layers() - 1 {
            self.matvec(net, l, &h, &mut buf);
            h = buf.iter().map(|&v| phi.value(scale * v)).collect();
        }
        h
    }

    /// The per-draw loss from $h_L$, with the readout scaled by `scale`.
    fn loss(&self, net: &Network, h: &[f64], y: f64, scale: f64, readout: Readout) -> f64 {
        match readout {
            Readout::Sampled => {
                let yhat = scale * self.readout.iter().zip(h).map(|(w, x)| w * x).sum::<f64>();
                (y - yhat) * (y - yhat)
            }
            Readout::Integrated => {
                let v = net.variances[net.weight_layers() - 1];
                y * y + v * scale * scale * h.iter().map(|x| x * x).sum::<f64>()
            }
        }
    }

    fn evaluate(
        &self,
        net: &Network,
        x: &[f64],
        y: f64,
        options: &MonteCarloOptions,
        acc: &mut Accumulator,
    ) {
        let layers = net.weight_layers();
        let hidden = layers - 1;
        let counts: Vec<f64> = net.parameter_counts().iter().map(|&n| n as f64).collect();
        let total: f64 = counts.iter().sum();
        let phi = net.activation;
        let readout = options.readout;
        // Base pass: pre-activations z_1..z_L.
        let mut zs: Vec<Vec<f64>> = Vec::with_capacity(hidden);
        let mut h = x.to_vec();
        for l in 0..hidden {
            let mut z = Vec::new();
            self.matvec(net, l, &h, &mut z);
            h = z.iter().map(|&v| phi.value(v)).collect();
            zs.push(z);
        }
        let h_last = h;
        let e0 = self.loss(net, &h_last, y, 1.0, readout);
        acc.energy.push(e0);
        let h = options.step;
        let mut first_law = 0.0;
        for (which, step) in [h, 2.0 * h].into_iter().enumerate() {
            let (up, down) = (step.exp(), (-step).exp());
            // One layer at a time.
            for l in 0..layers {
                let (ep, em) = if l < hidden {
                    let zp: Vec<f64> = zs[l].iter().map(|v| up * v).collect();
                    let zm: Vec<f64> = zs[l].iter().map(|v| down * v).collect();
                    (
                        self.loss(net, &self.forward_from(net, l, &zp, 1.0), y, 1.0, readout),
                        self.loss(net, &self.forward_from(net, l, &zm, 1.0), y, 1.0, readout),
                    )
                } else {
                    (
                        self.loss(net, &h_last, y, up, readout),
                        self.loss(net, &h_last, y, down, readout),
                    )
                };
                let d = (ep - em) / (2.0 * step * counts[l]);
                if which == 0 {
                    acc.local[l].push(d);
                    first_law -= d * counts[l] / total;
                } else {
                    acc.local_double[l].push(d);
                }
            }
            // All layers together.
            let global = |s: f64| {
                let hl = match zs.first() {
                    Some(z1) => {
                        let z: Vec<f64> = z1.iter().map(|v| s * v).collect();
                        self.forward_from(net, 0, &z, s)
                    }
                    None => x.to_vec(),
                };
                self.loss(net, &hl, y, s, readout)
            };
            let d = (global(up) - global(down)) / (2.0 * step * total);
            if which == 0 {
                acc.global.push(d);
                first_law += d;
            } else {
                acc.global_double.push(d);
            }
        }
        acc.gap.push(first_law);
        // Virial by forward-mode tangents.
        let yhat: f64 = self.readout.iter().zip(&h_last).map(|(w, x)| w * x).sum();
        let v_out = net.variances[layers - 1];
        let from_tangent = |dh: &[f64]| -> f64 {
            match readout {
                Readout::Sampled => {
                    let dyhat: f64 = self.readout.iter().zip(dh).map(|(w, x)| w * x).sum();
                    -2.0 * (y - yhat) * dyhat
                }
                Readout::Integrated => {
                    2.0 * v_out * h_last.iter().zip(dh).map(|(a, b)| a * b).sum::<f64>()
                }
            }
        };
        for l in 0..layers {
            let de = if l < hidden {
                let mut dh: Vec<f64> = zs[l].iter().map(|&z| phi.derivative(z) * z).collect();
                let mut buf = Vec::new();
                for (k, zk) in zs.iter().enumerate().skip(l + 1) {
                    self.matvec(net, k, &dh, &mut buf);
                    dh = buf
                        .iter()
                        .zip(zk)
                        .map(|(dz, &z)| phi.derivative(z) * dz)
                        .collect();
                }
                from_tangent(&dh)
            } else {
                match readout {
                    Readout::Sampled => -2.0 * (y - yhat) * yhat,
                    Readout::Integrated => 2.0 * v_out * h_last.iter().map(|x| x * x).sum::<f64>(),
                }
            };
            acc.virial[l].push(de / counts[l]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_variances_must_chain() {
        let relu = Activation::Relu;
        let e = Network::new(&[4, 6, 5, 1], &[0.7, 0.3], relu, WeightInit::Normal).unwrap_err();
        assert_eq!(e.parameter(), Some("variances"), "{e}");
        let e =
            Network::new(&[4, 6, 5, 2], &[0.7, 0.3, 0.4], relu, WeightInit::Normal).unwrap_err();
        assert_eq!(e.parameter(), Some("widths[3]"), "{e}");
        let e = Network::new(&[4, 0, 1], &[0.7, 0.3], relu, WeightInit::Normal).unwrap_err();
        assert_eq!(e.parameter(), Some("widths[1]"), "{e}");
        let e = Network::new(&[4, 6, 1], &[0.7, -0.3], relu, WeightInit::Normal).unwrap_err();
        assert_eq!(e.parameter(), Some("variances[1]"), "{e}");
        let e = Network::new(&[1], &[], relu, WeightInit::Normal).unwrap_err();
        assert_eq!(e.parameter(), Some("widths"), "{e}");
        let net = Network::new(&[4, 6, 1], &[0.7, 0.3], relu, WeightInit::Normal).unwrap();
        let opts = MonteCarloOptions {
            draws: 10,
            step: 1e-3,
            seed: 1,
            readout: Readout::Sampled,
        };
        assert_eq!(
            net.monte_carlo(&[1.0; 3], 0.0, &opts)
                .unwrap_err()
                .parameter(),
            Some("x")
        );
        assert_eq!(net.product_law(0.0).unwrap_err().parameter(), Some("r2"));
        let tanh = Network::new(
            &[4, 6, 1],
            &[0.7, 0.3],
            Activation::Tanh,
            WeightInit::Normal,
        )
        .unwrap();
        assert_eq!(
            tanh.product_law(1.0).unwrap_err().parameter(),
            Some("activation")
        );
    }

    #[test]
    fn mean_field_equals_product_law_for_homogeneous_activations() {
        for a in [
            Activation::Linear,
            Activation::Relu,
            Activation::LeakyRelu { slope: -0.3 },
        ] {
            let net =
                Network::new(&[4, 6, 5, 1], &[0.7, 0.3, 0.45], a, WeightInit::Normal).unwrap();
            let exact = net.product_law(4.0).unwrap();
            let mf = net.mean_field(4.0).unwrap();
            let tol = (mf.relative_error_estimate + 1e-14) * exact.output_energy;
            assert!((mf.temperatures.output_energy - exact.output_energy).abs() <= tol);
            for (a, b) in mf.temperatures.local.iter().zip(&exact.local) {
                assert!((a - b).abs() <= (mf.relative_error_estimate + 1e-14) * b);
            }
            for r in mf.ratios {
                assert!((r - 1.0).abs() < 1e-11);
            }
        }
    }

    #[test]
    fn linear_model_is_the_case_without_hidden_layers() {
        // L = 0: E ŷ² = v r², T = 2 v r²/n (T11 with r² = n m̄₂).
        let net = Network::new(&[3, 1], &[0.5], Activation::Relu, WeightInit::Normal).unwrap();
        let t = net.product_law(6.0).unwrap();
        assert_eq!(t.output_energy, 3.0);
        assert_eq!(t.global, 2.0);
        let opts = MonteCarloOptions {
            draws: 4000,
            step: 1e-3,
            seed: 3,
            readout: Readout::Integrated,
        };
        let mc = net.monte_carlo(&[1.0, 2.0, 1.0], 0.0, &opts).unwrap();
        // Integrated readout of a linear model is exact per draw.
        assert!((mc.energy.mean() - 3.0).abs() < 1e-12);
        assert!((mc.local_virial[0].mean() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn monte_carlo_does_not_depend_on_the_thread_count() {
        let net = Network::new(
            &[3, 5, 1],
            &[0.4, 0.3],
            Activation::Tanh,
            WeightInit::Uniform,
        )
        .unwrap();
        let opts = MonteCarloOptions {
            draws: 200,
            step: 1e-3,
            seed: 11,
            readout: Readout::Sampled,
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| net.monte_carlo(&[1.0, -0.5, 2.0], 0.3, &opts).unwrap())
        };
        assert_eq!(run(1), run(2));
    }
}
