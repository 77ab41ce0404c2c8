//! Gaussian energy with constant variance — the moving harmonic trap (spec D11–D21).
//!
//! The model is $E_\theta(x) = (x-\theta)^2/(2\sigma^2)$ with $\sigma^2$ fixed, the persistent chain
//! starts in equilibrium, $q_0 = p_{\theta_0}$, and stays Gaussian, $q_t = \mathcal N(m_t, \sigma^2)$,
//! with (D11)
//!
//! $$\dot m = (\theta - m)/\tau,\qquad \dot\theta = \eta(t)\,(\mu_D - m)/\sigma^2,\qquad
//!   \dot W = \dot\theta\,(\theta - m)/\sigma^2,$$
//!
//! where $\tau = \sigma^2/D$ is the relaxation time of the chain mean, $D$ the chain's diffusion
//! constant, $\mu_D$ the data mean (the target) and $\eta$ the learning rate; $k_BT = 1$, so works
//! are in units of $k_BT$. The free energy does not depend on $\theta$, so the excess work is the
//! work. [`GaussianProtocol`] holds the validated $(T, \sigma^2, D)$ and evaluates every closed form
//! of D12–D21 on it.
//!
//! # Accuracy
//!
//! Every closed form is written in terms of the reduced duration $x = T/\tau = DT/\sigma^2$ so that
//! it keeps a relative accuracy of a few ulps for every $x$ from $10^{-300}$ to $10^{300}$ (tests
//! compare against 50-digit `mpmath` values from $x = 10^{-9}$ to $10^{9}$). The only formula that
//! cancels when written as in the spec is the ramp work D17; see
//! [`GaussianProtocol::ramp_excess_work`]. The documented range is $T, \sigma^2, D \in
//! [10^{-100}, 10^{100}]$ and $|\Delta|, |\theta_0|, |\mu_D| \le 10^{100}$: there no intermediate
//! overflows, and the stated accuracy holds whenever the result is a normal `f64`. Outside it a
//! result that overflows is reported as [`Error::OutOfRange`] (an input error), never returned as `inf`.

use crate::schedule::{Gain, Schedule};
use nalgebra::Complex;
use num_dual::DualNum;
use serde::Serialize;
use thermocheck_numerics::error::{self, Error, Result};

/// Below this reduced duration $x = T/\tau$ the ramp factor $g(x)$ is summed as a series.
///
/// At $x = 1$ the closed form $x + \operatorname{expm1}(-x)$ loses at most a factor
/// $x/h(x) = e \approx 2.7$ to cancellation (≈ 3 ulps), and the series (alternating, terms
/// decreasing) is accurate to a few ulps below it.
const RAMP_SERIES_BELOW: f64 = 1.0;

/// Highest factorial index of the ramp series $g(x) = 2\sum_{k\ge0}(-x)^k/(k+2)!$: terms up to
/// $x^{20}$ are kept, so the first omitted term is $2x^{21}/23! < 10^{-22}$ for $x < 1$, far below
/// an ulp of $g(x) \ge g(1) = 2/e$.
const RAMP_SERIES_LAST: u32 = 20;

/// Checks that `time` lies in the open interval $(0, T)$ on which a quantity with jumps at both
/// ends (θ*(t), η*(t), H*(t), k*(t)) is defined.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `time` if it is not finite; otherwise, outside $(0, T)$, an
/// error naming `time` whose message states the open interval, e.g.
/// `time must be inside the open interval (0, duration) = (0, 2) (got `2`)`. The numerics crate has
/// no open-interval [`Requirement`](thermocheck_numerics::error::Requirement) yet, so this is the
/// message-carrying [`Error::Parse`] variant (the text is the value as given).
pub(crate) fn time_inside(time: f64, duration: f64) -> Result<f64> {
    let t = error::finite("time", time)?;
    if t > 0.0 && t < duration {
        Ok(t)
    } else {
        Err(Error::Parse {
            parameter: "time".to_owned(),
            expected: format!(
                "inside the open interval (0, duration) = (0, {})",
                number_text(duration)
            ),
            text: number_text(t),
        })
    }
}

/// A number as error messages print it: integers below $10^{15}$ as integers, everything else in
/// the shortest round-trip form (`1e300`, `2.5e-7`), never a 300-digit expansion. (Same rule as
/// the numerics crate's error messages.)
fn number_text(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 && !(value == 0.0 && value.is_sign_negative()) {
        format!("{}", value as i64)
    } else {
        format!("{value:?}")
    }
}

/// Checks that `time` lies in the closed interval $[0, T]$ (quantities continuous at both ends).
///
/// # Errors
/// [`Error::InvalidParameter`] naming `time` otherwise.
pub(crate) fn time_within(time: f64, duration: f64) -> Result<f64> {
    error::in_range("time", time, 0.0, duration)
}

/// Returns `value` if finite, else the input error that the caller's combination of
/// `parameters` has no representable `quantity` (the CLI exits 2 on it).
pub(crate) fn finite_result(quantity: &str, parameters: &[&str], value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::OutOfRange {
            parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
            detail: format!("{quantity} overflows f64"),
        })
    }
}

/// The parameters of a Gaussian-protocol result, for [`Error::OutOfRange`].
const PROTOCOL_INPUTS: &[&str] = &["duration", "variance", "diffusion", "distance"];

/// The ramp factor $g(x) = 2\,(x - 1 + e^{-x})/x^2$, stable for every $x > 0$.
///
/// For $x < 1$: $g(x) = 2\sum_{k\ge0} (-x)^k/(k+2)!$ in Horner form
/// $1 - \frac x3\bigl(1 - \frac x4(1 - \dots)\bigr)$; for $x \ge 1$: $2\,(h/x)/x$ with
/// $h = x + \operatorname{expm1}(-x)$ (divided twice so that $x^2$ never overflows).
/// Generic so that forward-mode AD can differentiate it.
pub(crate) fn ramp_factor<N: DualNum<Primitive = f64> + Copy>(x: N) -> N {
    if x < RAMP_SERIES_BELOW {
        let mut acc = N::from(1.0);
        for n in (3..=RAMP_SERIES_LAST + 2).rev() {
            acc = N::from(1.0) - x * acc / f64::from(n);
        }
        acc
    } else {
        let h = x + (-x).exp_m1();
        h / x / x * 2.0
    }
}

/// $\theta^*(t)$ of D13 in the stable split form (see [`GaussianProtocol::optimal_protocol`]):
/// the parameter leads the chain mean by $\tau v$ at constant speed $v$, so
/// $\theta^*(t) = m^*(t + \tau)$.
fn theta_star<N: DualNum<Primitive = f64> + Copy>(
    t: N,
    duration: f64,
    tau: f64,
    start: f64,
    target: f64,
) -> N {
    chain_mean_star(t + tau, duration, tau, start, target)
}

/// $m^*(t)$ of D13 in the stable split form (see [`GaussianProtocol::optimal_chain_mean`]).
fn chain_mean_star<N: DualNum<Primitive = f64> + Copy>(
    t: N,
    duration: f64,
    tau: f64,
    start: f64,
    target: f64,
) -> N {
    let distance = target - start;
    let span = duration + 2.0 * tau;
    let f = t / span;
    if f <= 0.5 {
        f * distance + start
    } else {
        N::from(target) - (-t + span) / span * distance
    }
}

/// The work ledger of the optimal protocol (D13): where the minimal excess work is spent.
///
/// All entries are in units of $k_BT$. `initial_jump + continuous + final_jump == total` up to
/// rounding, and the continuous work equals the entropy production.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WorkLedger {
    /// Work of the jump $\theta_0 \to \theta_0 + \tau v$ at $t = 0^+$: $\tau v^2/(2D)$.
    pub initial_jump: f64,
    /// Work on $(0, T)$: $v^2 T/D$, equal to the entropy production.
    pub continuous: f64,
    /// Work of the jump $\mu_D - \tau v \to \mu_D$ at $t = T$: $3\tau v^2/(2D)$.
    pub final_jump: f64,
    /// The sum, $W^*_{ex} = \Delta^2/(DT + 2\sigma^2)$ (D12).
    pub total: f64,
    /// Lag at the end, $D_{KL}(q_T\|p_{\mu_D}) = 2\tau v^2/D$.
    pub final_lag_kl: f64,
}

/// Mean and variance of the Gaussian per-particle work of a deterministic protocol (D21).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WorkStatistics {
    /// $\langle W\rangle$, in units of $k_BT$.
    pub mean: f64,
    /// $\operatorname{Var}(W) = 2\langle W\rangle$, in units of $(k_BT)^2$.
    pub variance: f64,
}

impl WorkStatistics {
    /// Standard deviation $\sqrt{2\langle W\rangle}$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::work_statistics;
    /// // DV10: ⟨W⟩ = 4/3 gives sd(W) = √(8/3).
    /// let s = work_statistics(4.0 / 3.0)?;
    /// assert!((s.std_dev() - (8.0f64 / 3.0).sqrt()).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn std_dev(&self) -> f64 {
        self.variance.sqrt()
    }

    /// Jarzynski average of a Gaussian work, $\langle e^{-W}\rangle = e^{-\langle W\rangle +
    /// \operatorname{Var}(W)/2}$, which is $1 = e^{-\Delta F}$ exactly when
    /// $\operatorname{Var}(W) = 2\langle W\rangle$.
    ///
    /// Spec: D21.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::work_statistics;
    /// assert_eq!(work_statistics(4.0 / 3.0)?.jarzynski_average(), 1.0);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn jarzynski_average(&self) -> f64 {
        (-self.mean + self.variance / 2.0).exp()
    }
}

/// Work statistics of any deterministic protocol on the Gaussian-mean energy (D21).
///
/// The per-particle work $W = \int \dot\theta\,(\theta - x)/\sigma^2\,dt$ is linear in the path,
/// hence Gaussian; with $\Delta F = 0$, Jarzynski's $\langle e^{-W}\rangle = 1$ is then equivalent to
/// $$\operatorname{Var}(W) = 2\langle W\rangle,$$
/// where $\langle W\rangle$ is the mean work in units of $k_BT$. With $N$ learning particles the
/// protocol depends on their own noise (feedback), so this holds only up to $O(1/N)$.
/// Spec: D21.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `mean-work` unless it is finite and ≥ 0 (the second law,
/// with an equilibrium start).
///
/// # Examples
/// ```
/// use thermocheck_dissipation::gaussian::work_statistics;
/// let s = work_statistics(0.5)?;
/// assert_eq!(s.variance, 1.0);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn work_statistics(mean_work: f64) -> Result<WorkStatistics> {
    let mean = error::non_negative("mean-work", mean_work)?;
    Ok(WorkStatistics {
        mean,
        variance: 2.0 * mean,
    })
}

/// The Gaussian-mean learning problem of duration $T$: variance $\sigma^2$ and chain diffusion $D$,
/// validated (spec D11).
///
/// Target-dependent quantities take the displacement $\Delta = \mu_D - \theta_0$ (or the start
/// $\theta_0$ and target $\mu_D$) as arguments: the optimal schedule itself does not depend on them
/// (D15).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GaussianProtocol {
    duration: f64,
    variance: f64,
    diffusion: f64,
    /// $\tau = \sigma^2/D$.
    tau: f64,
    /// $x = T/\tau$.
    reduced: f64,
}

impl GaussianProtocol {
    /// Validates the duration $T$, variance $\sigma^2$ and diffusion constant $D$.
    ///
    /// $T$ is the training duration (time units), $\sigma^2$ the fixed model variance (squared
    /// position units) and $D$ the chain's diffusion constant (squared position per unit time).
    /// Spec: D11.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `duration`, `variance` or `diffusion` unless each is
    /// finite and > 0.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 2.0, 0.5)?;
    /// assert_eq!(p.relaxation_time(), 4.0);
    /// assert!(GaussianProtocol::new(1.0, -2.0, 0.5).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(duration: f64, variance: f64, diffusion: f64) -> Result<Self> {
        let duration = error::positive("duration", duration)?;
        let variance = error::positive("variance", variance)?;
        let diffusion = error::positive("diffusion", diffusion)?;
        let tau = variance / diffusion;
        // x = T·D/σ²: one product and one quotient, ordered so the intermediate stays in range
        // when T·D would not.
        let td = duration * diffusion;
        let reduced = if td.is_finite() && td >= f64::MIN_POSITIVE {
            td / variance
        } else {
            duration / tau
        };
        // T + 2τ appears in every schedule and path formula (D13, D14): it must be finite too,
        // or η*(t) = σ²/(T + 2τ − t) would silently round to 0.
        let horizon = duration + 2.0 * tau;
        if !(tau.is_finite()
            && tau > 0.0
            && reduced.is_finite()
            && reduced > 0.0
            && horizon.is_finite())
        {
            return Err(Error::OutOfRange {
                parameters: vec!["duration".into(), "variance".into(), "diffusion".into()],
                detail: format!(
                    "τ = variance/diffusion = {}, T/τ = {} and T + 2τ = {} must be positive \
                     finite f64",
                    error::fmt_number(tau),
                    error::fmt_number(reduced),
                    error::fmt_number(horizon)
                ),
            });
        }
        Ok(GaussianProtocol {
            duration,
            variance,
            diffusion,
            tau,
            reduced,
        })
    }

    /// The training duration $T$.
    pub fn duration(&self) -> f64 {
        self.duration
    }

    /// The model variance $\sigma^2$.
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// The chain's diffusion constant $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }

    /// Relaxation time of the chain mean, $\tau = \sigma^2/D$.
    ///
    /// Spec: D11.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// assert_eq!(GaussianProtocol::new(3.0, 0.5, 1.0)?.relaxation_time(), 0.5);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn relaxation_time(&self) -> f64 {
        self.tau
    }

    /// The duration in relaxation times, $x = T/\tau = DT/\sigma^2$ (dimensionless), with
    /// $\tau = \sigma^2/D$.
    ///
    /// Spec: D11.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// assert_eq!(GaussianProtocol::new(3.0, 0.5, 1.0)?.reduced_duration(), 6.0);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn reduced_duration(&self) -> f64 {
        self.reduced
    }

    /// $\Delta^2/\sigma^2$, the common scale of every work below.
    fn work_scale(&self, distance: f64) -> Result<f64> {
        let delta = error::finite("distance", distance)?;
        Ok(delta * (delta / self.variance))
    }

    /// Minimal excess work to move the parameter by $\Delta$ in time $T$ (jumps allowed).
    ///
    /// $$W^*_{ex} = \frac{\Delta^2}{DT + 2\sigma^2} = \frac{\Delta^2/\sigma^2}{x + 2},$$
    /// where $\Delta = \mu_D - \theta_0$ is the displacement (position units), $T$ the duration,
    /// $\sigma^2$ the variance, $D$ the diffusion constant and $x = T/\tau$. Units of $k_BT$; for
    /// $N$ chain particles multiply by $N$. Evaluated in the second form (no cancellation, no
    /// overflow of $DT$). Spec: D12; `thermocheck eval min-excess-work`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite;
    /// [`Error::OutOfRange`] if the result overflows `f64`.
    ///
    /// # Examples
    /// The classical benchmark (trap moved $0 \to 5$ in $T = 1$, $\sigma^2 = D = 1$):
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let w = GaussianProtocol::new(1.0, 1.0, 1.0)?.min_excess_work(5.0)?;
    /// assert!((w - 25.0 / 3.0).abs() < 1e-14);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn min_excess_work(&self, distance: f64) -> Result<f64> {
        let scale = self.work_scale(distance)?;
        finite_result(
            "min-excess-work",
            PROTOCOL_INPUTS,
            scale / (self.reduced + 2.0),
        )
    }

    /// Lower bound on the excess work of any schedule that moves $\theta$ by $\theta_T - \theta_0$.
    ///
    /// $$W_{ex} \ge \frac{(\theta_T - \theta_0)^2}{DT + 2\sigma^2},$$
    /// where $\theta_T - \theta_0$ is the displacement actually achieved (it need not reach
    /// $\mu_D$), $T$ the duration, $\sigma^2$ the variance and $D$ the diffusion constant; scalar or
    /// matrix schedules, with or without impulses. Total work $\ge \Delta F + $ this bound, and
    /// $\Delta F = 0$ here. Spec: D18.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `displacement` if it is not finite;
    /// [`Error::OutOfRange`] if the result overflows.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// // D16: the impulse-free schedule reaches θ_T = 0.595853 and pays more than this bound.
    /// let bound = GaussianProtocol::new(2.0, 1.0, 1.0)?.lower_bound(0.595853)?;
    /// assert!((bound - 0.088760).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn lower_bound(&self, displacement: f64) -> Result<f64> {
        let delta = error::finite("displacement", displacement)?;
        finite_result(
            "lower-bound",
            PROTOCOL_INPUTS,
            delta * (delta / self.variance) / (self.reduced + 2.0),
        )
    }

    /// Speed of the chain mean on the optimal path, $v = \Delta/(T + 2\tau)$.
    ///
    /// $$v = \frac{\Delta}{T + 2\tau},$$
    /// where $\Delta$ is the displacement, $T$ the duration and $\tau$ the relaxation time
    /// (position per time unit). Spec: D13.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// assert_eq!(GaussianProtocol::new(1.0, 1.0, 1.0)?.speed(6.0)?, 2.0);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn speed(&self, distance: f64) -> Result<f64> {
        let delta = error::finite("distance", distance)?;
        finite_result(
            "speed",
            PROTOCOL_INPUTS,
            delta / (self.duration + 2.0 * self.tau),
        )
    }

    /// Size of each of the two jumps of the optimal protocol, equal to the constant lead of
    /// $\theta^*$ over $m^*$.
    ///
    /// $$\tau v = \frac{\Delta}{x + 2},$$
    /// where $\tau$ is the relaxation time, $v$ the speed, $\Delta$ the displacement and
    /// $x = T/\tau$ (position units, sign of $\Delta$). Spec: D13.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// // DV3: T = 3, σ² = 0.5, D = 1, Δ = −3 gives τv = −0.375.
    /// assert_eq!(GaussianProtocol::new(3.0, 0.5, 1.0)?.jump(-3.0)?, -0.375);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn jump(&self, distance: f64) -> Result<f64> {
        let delta = error::finite("distance", distance)?;
        Ok(delta / (self.reduced + 2.0))
    }

    /// Chain mean on the optimal path, $m^*(t) = \theta_0 + vt$, on the closed interval $[0, T]$.
    ///
    /// $$m^*(t) = \theta_0 + \Delta\,\frac{t}{T + 2\tau} = \mu_D - \Delta\,\frac{T + 2\tau - t}{T + 2\tau},$$
    /// where $\theta_0$ is the start, $\mu_D$ the target, $\Delta = \mu_D - \theta_0$, $t$ the time,
    /// $T$ the duration and $\tau$ the relaxation time. The chain mean is continuous (the jumps
    /// move $\theta$ only). The first form is used for $t \le (T + 2\tau)/2$, the second after,
    /// so the error is a few ulps of $\max(|\theta_0|, |\mu_D|)$. Spec: D13.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `start` or `target` if not finite, `time` unless
    /// $0 \le t \le T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// // v = 5/3; m*(T) = 5/3 = μ_D − 2τv.
    /// assert!((p.optimal_chain_mean(0.0, 5.0, 1.0)? - 5.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_chain_mean(&self, start: f64, target: f64, time: f64) -> Result<f64> {
        let (start, target) = self.endpoints(start, target)?;
        let t = time_within(time, self.duration)?;
        finite_result(
            "optimal-chain-mean",
            PROTOCOL_INPUTS,
            chain_mean_star(t, self.duration, self.tau, start, target),
        )
    }

    fn endpoints(&self, start: f64, target: f64) -> Result<(f64, f64)> {
        let start = error::finite("start", start)?;
        let target = error::finite("target", target)?;
        finite_result("distance", PROTOCOL_INPUTS, target - start)?;
        Ok((start, target))
    }

    /// The optimal parameter protocol $\theta^*(t)$ for $0 < t < T$.
    ///
    /// $$\theta^*(t) = \theta_0 + v\,(t + \tau) = m^*(t) + \tau v,\qquad v = \frac{\Delta}{T + 2\tau},$$
    /// where $\theta_0$ is the start, $\mu_D$ the target, $\Delta = \mu_D - \theta_0$, $t$ the time,
    /// $T$ the duration and $\tau$ the relaxation time. At both ends the protocol jumps by
    /// $\tau v$: $\theta(0^-) = \theta_0 \to \theta(0^+) = \theta_0 + \tau v$ and
    /// $\theta(T^-) = \mu_D - \tau v \to \theta(T^+) = \mu_D$. Because the value at $t = 0$ and
    /// $t = T$ is ambiguous, the time must lie in the open interval; the one-sided limits are
    /// [`protocol_after_initial_jump`](Self::protocol_after_initial_jump) and
    /// [`protocol_before_final_jump`](Self::protocol_before_final_jump). Evaluated as
    /// $\theta_0 + \Delta f$ for $f = (t+\tau)/(T+2\tau) \le 1/2$ and as
    /// $\mu_D - \Delta (T - t + \tau)/(T + 2\tau)$ after, so the error is a few ulps of
    /// $\max(|\theta_0|, |\mu_D|)$. Spec: D13; `thermocheck eval optimal-protocol`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `start` or `target` if not finite; an error naming
    /// `time` unless $0 < t < T$ (see the module docs).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// // v = 5/3, τ = 1: θ*(1/2) = 5/3 · 3/2 = 2.5.
    /// assert!((p.optimal_protocol(0.0, 5.0, 0.5)? - 2.5).abs() < 1e-15);
    /// assert!(p.optimal_protocol(0.0, 5.0, 1.0).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_protocol(&self, start: f64, target: f64, time: f64) -> Result<f64> {
        let (start, target) = self.endpoints(start, target)?;
        let t = time_inside(time, self.duration)?;
        finite_result(
            "optimal-protocol",
            PROTOCOL_INPUTS,
            theta_star(t, self.duration, self.tau, start, target),
        )
    }

    /// $\theta(0^+) = \theta_0 + \tau v$, the parameter right after the initial jump.
    ///
    /// $$\theta(0^+) = \theta_0 + \frac{\Delta}{x + 2},$$
    /// where $\theta_0$ is the start, $\Delta = \mu_D - \theta_0$ and $x = T/\tau$. Spec: D13.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `start` or `target` if not finite.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// assert!((p.protocol_after_initial_jump(0.0, 5.0)? - 5.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn protocol_after_initial_jump(&self, start: f64, target: f64) -> Result<f64> {
        let (start, target) = self.endpoints(start, target)?;
        Ok(start + (target - start) / (self.reduced + 2.0))
    }

    /// $\theta(T^-) = \mu_D - \tau v$, the parameter right before the final jump.
    ///
    /// $$\theta(T^-) = \mu_D - \frac{\Delta}{x + 2},$$
    /// where $\mu_D$ is the target, $\Delta = \mu_D - \theta_0$ and $x = T/\tau$. Spec: D13.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `start` or `target` if not finite.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// assert!((p.protocol_before_final_jump(0.0, 5.0)? - 10.0 / 3.0).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn protocol_before_final_jump(&self, start: f64, target: f64) -> Result<f64> {
        let (start, target) = self.endpoints(start, target)?;
        Ok(target - (target - start) / (self.reduced + 2.0))
    }

    /// The work ledger of the optimal protocol: initial jump, continuous part, final jump, total
    /// and final lag.
    ///
    /// $$\frac{\tau v^2}{2D} + \frac{v^2T}{D} + \frac{3\tau v^2}{2D} = W^*_{ex},\qquad
    ///   D_{KL}(q_T\|p_{\mu_D}) = \frac{2\tau v^2}{D},$$
    /// where $v = \Delta/(T+2\tau)$ is the speed, $\tau$ the relaxation time, $D$ the diffusion
    /// constant and $T$ the duration. With $x = T/\tau$ and $s = (\Delta^2/\sigma^2)/(x+2)$
    /// the entries are $s/(2(x+2))$, $s\,x/(x+2)$, $3s/(2(x+2))$ and $2s/(x+2)$ (no overflow of
    /// $(x+2)^2$). Spec: D13.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite;
    /// [`Error::OutOfRange`] if the total overflows.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let l = GaussianProtocol::new(1.0, 1.0, 1.0)?.work_ledger(3.0)?;
    /// // v = 1, τ = 1: 1/2 + 1 + 3/2 = 3 = 9/3.
    /// assert!((l.initial_jump - 0.5).abs() < 1e-15 && (l.final_jump - 1.5).abs() < 1e-15);
    /// assert!((l.total - 3.0).abs() < 1e-15 && (l.final_lag_kl - 2.0).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn work_ledger(&self, distance: f64) -> Result<WorkLedger> {
        let total = self.min_excess_work(distance)?;
        let per = total / (self.reduced + 2.0);
        Ok(WorkLedger {
            initial_jump: per / 2.0,
            continuous: total * (self.reduced / (self.reduced + 2.0)),
            final_jump: 1.5 * per,
            total,
            final_lag_kl: 2.0 * per,
        })
    }

    /// The optimal learning rate on the open interval, $\eta^*(t) = \sigma^2/(T + 2\tau - t)$.
    ///
    /// $$\eta^*(t) = \frac{\sigma^2}{(T - t) + 2\tau}\quad(0 < t < T),$$
    /// where $\sigma^2$ is the variance, $T$ the duration, $\tau$ the relaxation time and $t$ the
    /// time; units of $D$. The full schedule adds the impulses
    /// $\eta_0\,\delta(t) + \eta_T\,\delta(t - T)$
    /// ([`initial_impulse`](Self::initial_impulse), [`final_impulse`](Self::final_impulse)).
    /// It does not depend on the target (D15). The denominator is a sum of two positive terms,
    /// and $T - t$ is exact for $t \ge T/2$. Spec: D14; `thermocheck eval optimal-learning-rate`.
    ///
    /// # Errors
    /// An error naming `time` unless $0 < t < T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// assert_eq!(p.optimal_learning_rate(0.5)?, 0.4);
    /// assert!(p.optimal_learning_rate(0.0).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_learning_rate(&self, time: f64) -> Result<f64> {
        let t = time_inside(time, self.duration)?;
        Ok(self.variance / ((self.duration - t) + 2.0 * self.tau))
    }

    /// The one-sided limits $(\eta^*(0^+), \eta^*(T^-)) = (\sigma^2/(T + 2\tau),\; D/2)$ of the
    /// continuous schedule.
    ///
    /// $$\eta^*(0^+) = \frac{\sigma^2}{T + 2\tau},\qquad \eta^*(T^-) = \frac{\sigma^2}{2\tau} = \frac D2,$$
    /// where $\sigma^2$ is the variance, $T$ the duration, $\tau$ the relaxation time and $D$ the
    /// diffusion constant. Spec: D14.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let (start, end) = GaussianProtocol::new(2.0, 2.0, 0.7)?.optimal_learning_rate_limits();
    /// assert!((start - 0.259259).abs() < 5e-7 && (end - 0.35).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_learning_rate_limits(&self) -> (f64, f64) {
        (
            self.variance / (self.duration + 2.0 * self.tau),
            self.diffusion / 2.0,
        )
    }

    /// The initial impulse $\eta_0$ of the optimal schedule.
    ///
    /// $$\eta_0 = \frac{\sigma^2\tau}{T + 2\tau} = \frac{\sigma^2}{x + 2},$$
    /// where $\sigma^2$ is the variance, $\tau$ the relaxation time, $T$ the duration and
    /// $x = T/\tau$ (units of $D\cdot$time). One gradient step of this size, taken before the
    /// chain moves, makes $\theta$ jump by exactly $\tau v$ (D15). Evaluated in the second form,
    /// which is exact to one rounding for every $x$ (as $T \to 0$ it tends to $\sigma^2/2$).
    /// Spec: D14; `thermocheck eval initial-impulse`.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// assert_eq!(GaussianProtocol::new(3.0, 0.5, 1.0)?.initial_impulse(), 0.0625);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn initial_impulse(&self) -> f64 {
        self.variance / (self.reduced + 2.0)
    }

    /// The final impulse $\eta_T = \sigma^2/2$ of the optimal schedule.
    ///
    /// $$\eta_T = \frac{\sigma^2}{2},$$
    /// where $\sigma^2$ is the variance. Spec: D14; `thermocheck eval final-impulse`.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// assert_eq!(GaussianProtocol::new(3.0, 0.5, 1.0)?.final_impulse(), 0.25);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn final_impulse(&self) -> f64 {
        self.variance / 2.0
    }

    /// Excess work of the linear ramp $\theta(t) = \theta_0 + \Delta t/T$ (no jumps).
    ///
    /// $$W^{lin}_{ex} = \frac{\Delta^2}{DT^2}\Big[T - \tau\big(1 - e^{-T/\tau}\big)\Big]
    ///   = \frac{\Delta^2}{2\sigma^2}\,g(x),\qquad g(x) = \frac{2\,(x - 1 + e^{-x})}{x^2},$$
    /// where $\Delta$ is the displacement, $D$ the diffusion constant, $T$ the duration, $\tau$ the
    /// relaxation time, $\sigma^2$ the variance and $x = T/\tau$.
    ///
    /// The first (spec) form cancels catastrophically for small $x$: the bracket is
    /// $\tau x^2/2 + O(x^3)$ while each term is $O(\tau x)$, so $1/x$ of the digits are lost
    /// (all of them at $x = 10^{-9}$). The second form is exact algebra
    /// ($\tau = T/x$, $DT^2 = \sigma^2 x T$) and $g$ is evaluated as
    /// $g(x) = 2\sum_{k\ge0}(-x)^k/(k+2)! = 1 - \frac x3 + \frac{x^2}{12} - \dots$ (Horner, 19
    /// terms) for $x < 1$ and as $2\,[(x + \operatorname{expm1}(-x))/x]/x$ for $x \ge 1$, where
    /// the sum loses at most a factor $e$. It tends to the sudden value $\Delta^2/(2\sigma^2)$ as
    /// $x \to 0$ and to $\Delta^2/(DT)$ as $x \to \infty$ (D19).
    /// Spec: D17; `thermocheck eval ramp-excess-work`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite;
    /// [`Error::OutOfRange`] if the result overflows.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// // DV3: T = σ² = D = 1, Δ = 1 gives e^{-1} = 0.367879...
    /// let w = GaussianProtocol::new(1.0, 1.0, 1.0)?.ramp_excess_work(1.0)?;
    /// assert!((w - (-1.0f64).exp()).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn ramp_excess_work(&self, distance: f64) -> Result<f64> {
        let scale = self.work_scale(distance)?;
        finite_result(
            "ramp-excess-work",
            PROTOCOL_INPUTS,
            scale * (ramp_factor(self.reduced) / 2.0),
        )
    }

    /// The learning rate that produces the linear ramp, on the closed interval $[0, T]$.
    ///
    /// $$\eta^{lin}(t) = \frac{\sigma^2}{(T - t) + \tau\,\bigl(-\operatorname{expm1}(-t/\tau)\bigr)},$$
    /// where $\sigma^2$ is the variance, $T$ the duration, $\tau$ the relaxation time and $t$ the
    /// time ($-\operatorname{expm1}(-t/\tau) = 1 - e^{-t/\tau}$, accurate for small $t/\tau$). It
    /// has no impulses and does not depend on $\Delta$; on the ramp the lag is
    /// $\theta - m = (\Delta/T)\,\tau(1 - e^{-t/\tau})$. Spec: D17.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time` unless $0 \le t \le T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// assert_eq!(p.ramp_learning_rate(0.0)?, 1.0);
    /// let end = 1.0 / (1.0 - (-1.0f64).exp());
    /// assert!((p.ramp_learning_rate(1.0)? - end).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn ramp_learning_rate(&self, time: f64) -> Result<f64> {
        let t = time_within(time, self.duration)?;
        let lag = self.tau * -(-(t / self.tau)).exp_m1();
        Ok(self.variance / ((self.duration - t) + lag))
    }

    /// Excess work of a sudden protocol (one jump $\theta_0 \to \mu_D$ at $t = 0$).
    ///
    /// $$W^{sud}_{ex} = \frac{\Delta^2}{2\sigma^2},$$
    /// where $\Delta$ is the displacement and $\sigma^2$ the variance. Spec: D19.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite;
    /// [`Error::OutOfRange`] if the result overflows.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// assert_eq!(GaussianProtocol::new(1.0, 1.0, 1.0)?.sudden_excess_work(5.0)?, 12.5);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn sudden_excess_work(&self, distance: f64) -> Result<f64> {
        let scale = self.work_scale(distance)?;
        finite_result("sudden-excess-work", PROTOCOL_INPUTS, scale / 2.0)
    }

    /// Linear-response (slow-driving) excess work $\Delta^2/(DT)$.
    ///
    /// $$W^{LR}_{ex} = \frac{\Delta^2}{DT} = \frac{\Delta^2/\sigma^2}{x},$$
    /// where $\Delta$ is the displacement, $D$ the diffusion constant, $T$ the duration (friction
    /// $\zeta = 1/D$, see `metric.md`) and $x = T/\tau$. Both $W^*_{ex}$ and $W^{lin}_{ex}$ tend to
    /// it as $x \to \infty$. Spec: D19.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `distance` if it is not finite;
    /// [`Error::OutOfRange`] if the result overflows.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let w = GaussianProtocol::new(2.0, 2.0, 0.7)?.linear_response_excess_work(1.0)?;
    /// assert!((w - 1.0 / 1.4).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn linear_response_excess_work(&self, distance: f64) -> Result<f64> {
        let scale = self.work_scale(distance)?;
        finite_result(
            "linear-response-excess-work",
            PROTOCOL_INPUTS,
            scale / self.reduced,
        )
    }

    /// Whether a constant learning rate $\eta$ overshoots the target: iff $\eta > D/4$.
    ///
    /// $$\text{overshoot} \iff \eta > \frac D4,$$
    /// where $\eta$ is the constant learning rate and $D$ the diffusion constant: $(m, \theta)$ is
    /// then an underdamped oscillator (see
    /// [`constant_rate_roots`](Self::constant_rate_roots)). For $\eta \le D/4$ neither $m$ nor
    /// $\theta$ crosses $\mu_D$ from the equilibrium start. Spec: D20.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `rate` unless it is finite and ≥ 0.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 2.0)?;
    /// assert!(!p.constant_rate_overshoots(0.5)? && p.constant_rate_overshoots(0.51)?);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn constant_rate_overshoots(&self, rate: f64) -> Result<bool> {
        let eta = error::non_negative("rate", rate)?;
        Ok(eta > self.diffusion / 4.0)
    }

    /// The characteristic roots of the constant-rate dynamics.
    ///
    /// $$\lambda^2 + \frac{\lambda}{\tau} + \frac{\eta}{\sigma^2\tau} = 0,\qquad
    ///   \lambda_\pm = \frac{-1 \pm \sqrt{1 - 4\eta/D}}{2\tau},$$
    /// where $\eta$ is the constant learning rate, $\tau$ the relaxation time, $\sigma^2$ the
    /// variance and $D$ the diffusion constant (rates per unit time). Real and negative for
    /// $\eta \le D/4$, complex conjugate for $\eta > D/4$. For real roots the one of smaller
    /// magnitude is computed as $-(4\eta/D)/(2\tau(1 + \sqrt{1 - 4\eta/D}))$ (the product of the
    /// roots over the larger one), which does not cancel for $\eta \ll D$. Returned as
    /// `[slow, fast]` (real roots) or `[λ₊, λ₋]` with positive imaginary part first. Spec: D20.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `rate` unless it is finite and ≥ 0.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// // η = 3/16: 1 − 4η = 1/4, roots (−1 ± 1/2)/2.
    /// let [slow, fast] = p.constant_rate_roots(3.0 / 16.0)?;
    /// assert_eq!((slow.re, fast.re, slow.im), (-0.25, -0.75, 0.0));
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn constant_rate_roots(&self, rate: f64) -> Result<[Complex<f64>; 2]> {
        let eta = error::non_negative("rate", rate)?;
        let r = 4.0 * (eta / self.diffusion);
        let two_tau = 2.0 * self.tau;
        if r <= 1.0 {
            let root = (1.0 - r).sqrt();
            let fast = -(1.0 + root) / two_tau;
            let slow = -r / (two_tau * (1.0 + root));
            Ok([Complex::new(slow, 0.0), Complex::new(fast, 0.0)])
        } else {
            let re = -1.0 / two_tau;
            let im = (r - 1.0).sqrt() / two_tau;
            Ok([Complex::new(re, im), Complex::new(re, -im)])
        }
    }

    /// Work statistics of the optimal protocol: $\langle W\rangle = W^*_{ex}$,
    /// $\operatorname{Var}(W) = 2W^*_{ex}$.
    ///
    /// $$\langle W\rangle = \frac{\Delta^2}{DT+2\sigma^2},\qquad \operatorname{Var}(W) = 2\langle W\rangle,$$
    /// where $\Delta$ is the displacement, $D$ the diffusion constant, $T$ the duration and
    /// $\sigma^2$ the variance (see [`work_statistics`]). Spec: D21.
    ///
    /// # Errors
    /// As [`min_excess_work`](Self::min_excess_work).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// // DV10: T = σ² = D = 1, Δ = 2: ⟨W⟩ = 4/3, sd(W) = √(8/3).
    /// let s = GaussianProtocol::new(1.0, 1.0, 1.0)?.optimal_work_statistics(2.0)?;
    /// assert!((s.std_dev() - 1.63299).abs() < 5e-6);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_work_statistics(&self, distance: f64) -> Result<WorkStatistics> {
        work_statistics(self.min_excess_work(distance)?)
    }

    /// The optimal learning-rate schedule of D14 as a [`Schedule`], with or without its impulses.
    ///
    /// $$\eta^*(t) = \frac{\sigma^2}{(T - t) + 2\tau}\quad(0 \le t \le T),\qquad
    ///   \eta^* \ni \eta_0\,\delta(t) + \eta_T\,\delta(t - T),$$
    /// where $\sigma^2$ is the variance, $T$ the duration, $\tau$ the relaxation time,
    /// $\eta_0 = \sigma^2/(x + 2)$ and $\eta_T = \sigma^2/2$ the impulses
    /// ([`initial_impulse`](Self::initial_impulse), [`final_impulse`](Self::final_impulse)).
    /// The continuous part is extended to the closed interval by continuity (its one-sided
    /// limits, [`optimal_learning_rate_limits`](Self::optimal_learning_rate_limits)), so an ODE
    /// solver may evaluate it at both ends. With `with_impulses = true` this is the optimal
    /// schedule (D14), which brings every target to $\mu_D$ with $W = W^*_{ex}$ (D12, D15); with
    /// `false` it is the impulse-free variant of D16, which misses the target. It takes no target:
    /// the same schedule serves every $\theta_0$, $\mu_D$ (D15). Spec: D14, D16.
    ///
    /// # Errors
    /// Only if the schedule cannot be built (it always can for a validated protocol).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// use thermocheck_dissipation::schedule::Gain;
    /// let p = GaussianProtocol::new(1.0, 1.0, 1.0)?;
    /// let s = p.optimal_schedule(true)?;
    /// assert_eq!(s.gain(0.5, 1)?, Gain::Scalar(0.4));
    /// assert_eq!(s.impulses()[0].gain, Gain::Scalar(p.initial_impulse()));
    /// assert_eq!((s.impulses()[1].time, &s.impulses()[1].gain), (1.0, &Gain::Scalar(0.5)));
    /// assert!(p.optimal_schedule(false)?.impulses().is_empty());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn optimal_schedule(&self, with_impulses: bool) -> Result<Schedule> {
        let (variance, duration, two_tau) = (self.variance, self.duration, 2.0 * self.tau);
        let rate = move |t: f64| variance / ((duration - t) + two_tau);
        if with_impulses {
            Schedule::scalar("optimal η*(t) with impulses η₀, η_T (D14)", duration, rate)?
                .with_impulse(0.0, Gain::Scalar(self.initial_impulse()))?
                .with_impulse(duration, Gain::Scalar(self.final_impulse()))
        } else {
            Schedule::scalar("optimal η*(t) without impulses (D16)", duration, rate)
        }
    }

    /// The learning-rate schedule that produces the linear ramp (D17), as a [`Schedule`].
    ///
    /// $$\eta^{lin}(t) = \frac{\sigma^2}{(T - t) + \tau\,\bigl(1 - e^{-t/\tau}\bigr)}\quad(0 \le t \le T),$$
    /// where $\sigma^2$ is the variance, $T$ the duration, $\tau$ the relaxation time and $t$ the
    /// time (evaluated as [`ramp_learning_rate`](Self::ramp_learning_rate)); no impulses. From
    /// the equilibrium start it moves $\theta$ along $\theta_0 + \Delta t/T$ for every target and
    /// costs $W^{lin}_{ex}$ ([`ramp_excess_work`](Self::ramp_excess_work)). Spec: D17.
    ///
    /// # Errors
    /// Only if the schedule cannot be built (it always can for a validated protocol).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// use thermocheck_dissipation::schedule::Gain;
    /// let s = GaussianProtocol::new(1.0, 1.0, 1.0)?.ramp_schedule()?;
    /// assert_eq!(s.gain(0.0, 1)?, Gain::Scalar(1.0));
    /// assert!(s.impulses().is_empty());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn ramp_schedule(&self) -> Result<Schedule> {
        let (variance, duration, tau) = (self.variance, self.duration, self.tau);
        Schedule::scalar("linear ramp η_lin(t) (D17)", duration, move |t| {
            variance / ((duration - t) + tau * -(-(t / tau)).exp_m1())
        })
    }

    /// The sudden protocol (D19) as a [`Schedule`]: one impulse $\sigma^2$ at $t = 0$, then rate 0.
    ///
    /// $$\eta(t) = \sigma^2\,\delta(t),$$
    /// where $\sigma^2$ is the variance: from the equilibrium start the gradient estimate is
    /// $(\mu_D - \theta_0)/\sigma^2$, so the impulse moves $\theta$ to $\mu_D$ in one jump, at the
    /// cost $W^{sud}_{ex} = \Delta^2/(2\sigma^2)$ ([`sudden_excess_work`](Self::sudden_excess_work)).
    /// Spec: D19.
    ///
    /// # Errors
    /// Only if the schedule cannot be built (it always can for a validated protocol).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::gaussian::GaussianProtocol;
    /// use thermocheck_dissipation::schedule::Gain;
    /// let s = GaussianProtocol::new(1.0, 2.0, 1.0)?.sudden_schedule()?;
    /// assert_eq!(s.gain(0.5, 1)?, Gain::Scalar(0.0));
    /// assert_eq!((s.impulses()[0].time, &s.impulses()[0].gain), (0.0, &Gain::Scalar(2.0)));
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn sudden_schedule(&self) -> Result<Schedule> {
        Schedule::scalar(
            "sudden: one impulse σ² at t = 0 (D19)",
            self.duration,
            |_| 0.0,
        )?
        .with_impulse(0.0, Gain::Scalar(self.variance))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use num_dual::Dual64;
    use proptest::prelude::*;
    use thermocheck_numerics::Tolerance;
    use thermocheck_numerics::tolerance::ESTIMATE_FACTOR;

    fn protocol(t: f64, s2: f64, d: f64) -> GaussianProtocol {
        GaussianProtocol::new(t, s2, d).unwrap()
    }

    fn rel_err(observed: f64, expected: f64) -> f64 {
        ((observed - expected) / expected).abs()
    }

    /// Asserts a relative error bound and prints the case on failure.
    #[track_caller]
    fn assert_rel(what: &str, observed: f64, expected: f64, bound: f64) {
        let e = rel_err(observed, expected);
        assert!(
            e <= bound,
            "{what}: expected {expected:e}, observed {observed:e}, rel err {e:.2e} > {bound:.1e}"
        );
    }

    /// The spec's DV3 table, typed once in the claim that checks it (claim DV3 compares every
    /// column with the closed forms); here its rows are parameter points.
    use crate::claims::gaussian::DV3_TABLE as DV3;

    #[test]
    fn schedule_approaches_its_limits_at_the_ends() {
        for row in DV3 {
            let [t, s2, d] = [row[0], row[1], row[2]];
            let p = protocol(t, s2, d);
            let (start, end) = p.optimal_learning_rate_limits();
            // The open-interval schedule approaches its limits at the ends.
            // At a distance h from an end, η* differs from its limit by the relative amount
            // h/(T + 2τ − h) (start) or h/(2τ) (end), plus rounding.
            let h = t * 1e-12;
            let tau = p.relaxation_time();
            let near_start = p.optimal_learning_rate(h).unwrap();
            let near_end = p.optimal_learning_rate(t - h).unwrap();
            assert_relative_eq!(near_start, start, max_relative = h / (t + tau) + 1e-15);
            assert_relative_eq!(near_end, end, max_relative = h / tau + 1e-15);
            // η_T = σ²/2.
            assert_eq!(p.final_impulse(), s2 / 2.0);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Extreme parameters against 50-digit mpmath values of the spec's own formulas.
    // ---------------------------------------------------------------------------------------

    /// Reference values computed with mpmath 1.3.0 at `mp.dps = 50` (and checked unchanged at
    /// `mp.dps = 100`) from the formulas exactly as the spec writes them, which share nothing
    /// with the rewritten forms above:
    /// W* = Δ²/(DT + 2σ²) (D12); W_lin = Δ²/(DT²)·[T − τ(1 − e^{−T/τ})] with τ = σ²/D (D17);
    /// η*(t) = σ²/(T + 2τ − t) at t = T/3 (D14); η0 = σ²τ/(T + 2τ) (D14);
    /// θ*(t) = θ0 + Δ(t + τ)/(T + 2τ) at t = 0.7T with θ0 = Δ/3, μ_D = θ0 + Δ (D13);
    /// η_lin(t) = σ²/(T − t + τ(1 − e^{−t/τ})) at t = T/3 (D17).
    /// Columns: T, σ², D, Δ, W*, W_lin, η*(T/3), η0, θ*(0.7T), η_lin(T/3).
    /// Generated by the script at the end of this test module: T/τ spans 1e-9 … 1e9 (and 1e-95, 1e120),
    /// both sides of the series switch at x = 1, and magnitudes of T, σ², D, Δ from 1e-90 to 1e95.
    #[rustfmt::skip]
    const MPMATH_GAUSSIAN: &[[f64; 10]] = &[
    [1e-09, 1.0, 1.0, 1.0, 0.49999999975, 0.4999999998333333, 0.4999999998333333, 0.49999999975, 0.8333333334333333, 1000000000.0555555],
    [1e-06, 1.0, 1.0, 1.0, 0.499999750000125, 0.499999833333375, 0.4999998333333889, 0.499999750000125, 0.8333334333332832, 1000000.0555555525],
    [0.001, 1.0, 1.0, -2.0, 1.999000499750125, 1.9993334999666723, 0.49983338887037654, 0.49975012493753124, -1.6668665667166416, 1000.0555524691358],
    [0.3, 1.0, 1.0, 1.0, 0.43478260869565216, 0.45353578535242073, 0.45454545454545453, 0.43478260869565216, 0.8594202898550725, 3.387963316169357],
    [0.999999, 1.0, 1.0, 1.0, 0.3333334444444815, 0.3678795448097892, 0.37500009375002347, 0.3333334444444815, 0.8999999555555407, 1.0524826243138887],
    [1.000001, 1.0, 1.0, 1.0, 0.33333322222225925, 0.36787933753314217, 0.37499990625002344, 0.33333322222225925, 0.9000000444444296, 1.0524806182142599],
    [0.5, 2.0, 4.0, 3.0, 1.5, 1.6554574852714905, 1.5, 0.6666666666666666, 2.7, 4.209926485052297],
    [1.0, 1.0, 1.0, 5.0, 8.333333333333334, 9.196986029286059, 0.375, 0.3333333333333333, 4.5, 1.0524816212630743],
    [7.0, 1.0, 1.0, 1.0, 0.1111111111111111, 0.12246758942786846, 0.15, 0.1111111111111111, 0.9888888888888888, 0.1795430547055022],
    [1000.0, 1.0, 1.0, 1.0, 0.000998003992015968, 0.000999, 0.0014955134596211365, 0.000998003992015968, 1.0329341317365268, 0.0014977533699450823],
    [1000000000.0, 1.0, 1.0, 1.0, 9.99999998e-10, 9.99999999e-10, 1.4999999955e-09, 9.99999998e-10, 1.0333333329333332, 1.4999999977499999e-09],
    [3e-80, 2e-60, 70000000000.0, 1e-35, 2.4999999986875e-11, 2.499999999125e-11, 34999999987.75, 9.99999999475e-61, 8.333333334383333e-36, 6.666666667055555e+19],
    [1e+50, 1e-30, 1e-71, 1e+40, 9.999999980000001e+100, 9.999999990000001e+100, 1.4999999955e-80, 9.999999980000001e-40, 1.0333333329333334e+40, 1.49999999775e-80],
    [1e+20, 1e+80, 1e+55, 1e+45, 4999975000.124999, 4999983333.374999, 4.9999833333888887e+54, 4.999975000124999e+79, 8.333343333283333e+44, 1.000000555555247e+60],
    [2.5e-07, 3000000000.0, 12000000.0, -0.004, 2.6666666653333334e-15, 2.666666665777778e-15, 5999999.998, 1499999999.25, -0.003333333333733333, 1.2000000000666668e+16],
    [1e-30, 1e-90, 1e+60, -1e-40, 9.999999999999998e-111, 9.999999999999998e-111, 1.4999999999999998e-60, 9.999999999999999e-211, -1.033333333333333e-40, 1.4999999999999998e-60],
    [5e-05, 0.02, 0.03, 7000.0, 1224954064.2225916, 1224969375.5742102, 0.014999625009374766, 0.009999625014061974, 5833.385831364658, 400.0016666597222],
    [1e+90, 1e+95, 100000000000000.0, 1e+90, 9.99999998e+75, 9.99999999e+75, 149999.99955, 9.999999980000001e+85, 1.0333333329333332e+90, 149999.999775],
    [1e-90, 1e-95, 1e-15, 1e-90, 4.99999999975e-86, 4.999999999833333e-86, 4.999999999833334e-16, 4.99999999975e-96, 8.333333333433333e-91, 1.0000000000055556e-05],
    ];

    #[test]
    fn extreme_parameters_match_mpmath() {
        // A few roundings per formula: 16 ε ≈ 3.6e-15 relative is the bound we hold, well
        // inside the issue's 1e-12.
        const BOUND: f64 = 16.0 * f64::EPSILON;
        let mut worst = [0.0f64; 6];
        for row in MPMATH_GAUSSIAN {
            let [
                t,
                s2,
                d,
                delta,
                w_opt,
                w_lin,
                eta_third,
                eta0,
                theta,
                ramp_rate,
            ] = *row;
            let p = protocol(t, s2, d);
            let start = delta / 3.0;
            let observed = [
                p.min_excess_work(delta).unwrap(),
                p.ramp_excess_work(delta).unwrap(),
                p.optimal_learning_rate(t / 3.0).unwrap(),
                p.initial_impulse(),
                p.optimal_protocol(start, start + delta, 0.7 * t).unwrap(),
                p.ramp_learning_rate(t / 3.0).unwrap(),
            ];
            let expected = [w_opt, w_lin, eta_third, eta0, theta, ramp_rate];
            let names = [
                "W*",
                "W_lin",
                "eta*(T/3)",
                "eta0",
                "theta*(0.7T)",
                "eta_lin(T/3)",
            ];
            for (i, ((name, o), e)) in names.iter().zip(observed).zip(expected).enumerate() {
                worst[i] = worst[i].max(rel_err(o, e));
                assert_rel(&format!("{name} at {row:?}"), o, e, BOUND);
            }
        }
        eprintln!(
            "worst relative errors vs mpmath (W*, W_lin, eta*, eta0, theta*, eta_lin): {worst:?}"
        );
    }

    #[test]
    fn naive_ramp_formula_would_fail_where_the_stable_one_holds() {
        // x = 1e-6: the spec form loses ~6 digits; W_lin = (Δ²/2σ²)(1 − x/3 + x²/12 − …).
        let p = protocol(1e-6, 1.0, 1.0);
        let x: f64 = 1e-6;
        let naive = (1.0 / (1.0 * x * x)) * (x - (1.0 - (-x).exp()));
        let reference = 0.5 * (1.0 - x / 3.0 + x * x / 12.0 - x * x * x / 60.0);
        assert!(rel_err(naive, reference) > 1e-12, "naive {naive}");
        assert_rel(
            "ramp at x = 1e-6",
            p.ramp_excess_work(1.0).unwrap(),
            reference,
            4.0 * f64::EPSILON,
        );
    }

    #[test]
    fn ramp_factor_is_continuous_across_the_series_switch() {
        let below = ramp_factor(RAMP_SERIES_BELOW.next_down());
        let above = ramp_factor(RAMP_SERIES_BELOW);
        assert_relative_eq!(below, above, max_relative = 4.0 * f64::EPSILON);
        // Derivatives of both branches agree too (forward-mode AD).
        let d_below = ramp_factor(Dual64::from_re(RAMP_SERIES_BELOW.next_down()).derivative());
        let d_above = ramp_factor(Dual64::from_re(RAMP_SERIES_BELOW).derivative());
        assert_relative_eq!(d_below.eps, d_above.eps, max_relative = 1e-13);
        // g(0⁺) = 1 and g'(0) = −1/3.
        let g0 = ramp_factor(Dual64::from_re(0.0).derivative());
        assert_eq!((g0.re, g0.eps), (1.0, -1.0 / 3.0));
    }

    // ---------------------------------------------------------------------------------------
    // The moment-ODE comparisons (DV3–DV9) are claims in `claims/gaussian.rs`, run by `cargo
    // test` through the quick profile; the proptest below uses the same engine.
    // ---------------------------------------------------------------------------------------

    /// $\theta_T$, $W$ and the error estimate of Gaussian-mean learning under `schedule` through
    /// the moment-ODE engine ([`crate::moments::learn`]), equilibrium start at `start`, data mean
    /// `target`.
    fn learn(
        p: &GaussianProtocol,
        schedule: &Schedule,
        start: f64,
        target: f64,
    ) -> (f64, f64, f64) {
        use crate::{data::Data, energy::GaussianMean, learning::LearningProblem, moments};
        let energy = GaussianMean::new(p.variance()).unwrap();
        let data = Data::gaussian(target, 0.0).unwrap();
        let initial = [start];
        let problem =
            LearningProblem::new(&energy, &data, schedule, &initial, p.diffusion()).unwrap();
        let run = moments::learn(&problem, &moments::MomentOptions::default()).unwrap();
        let end = run.final_point();
        (end.theta[0], end.work, run.report.error_estimate.unwrap())
    }

    #[test]
    fn optimal_path_is_consistent_under_automatic_differentiation() {
        // θ̇* = η*(μ_D − m*)/σ² and ṁ* = (θ* − m*)/τ on (0, T), with the time derivatives
        // taken by forward-mode AD of the closed forms (independent of the D14 formula).
        for (t_end, s2, d, start, target) in [(1.0, 1.0, 1.0, 0.0, 5.0), (3.0, 0.5, 1.0, 2.0, -1.0)]
        {
            let p = protocol(t_end, s2, d);
            let tau = p.relaxation_time();
            for frac in [0.1, 0.4, 0.6, 0.9] {
                let t = Dual64::from_re(frac * t_end).derivative();
                let theta = theta_star(t, t_end, tau, start, target);
                let m = chain_mean_star(t, t_end, tau, start, target);
                let eta = p.optimal_learning_rate(t.re).unwrap();
                assert_relative_eq!(theta.eps, eta * (target - m.re) / s2, max_relative = 1e-14);
                assert_relative_eq!(m.eps, (theta.re - m.re) / tau, max_relative = 1e-14);
                assert_relative_eq!(
                    theta.re - m.re,
                    p.jump(target - start).unwrap(),
                    max_relative = 1e-14
                );
            }
        }
    }

    #[test]
    fn dv4_ledger_sums_to_the_minimum_and_limits_hold() {
        let p = protocol(2.0, 2.0, 0.7);
        let l = p.work_ledger(1.3).unwrap();
        let v = p.speed(1.3).unwrap();
        let (tau, d, t) = (p.relaxation_time(), 0.7, 2.0);
        assert_relative_eq!(
            l.initial_jump,
            tau * v * v / (2.0 * d),
            max_relative = 1e-15
        );
        assert_relative_eq!(l.continuous, v * v * t / d, max_relative = 1e-15);
        assert_relative_eq!(
            l.final_jump,
            3.0 * tau * v * v / (2.0 * d),
            max_relative = 1e-15
        );
        assert_relative_eq!(l.final_lag_kl, 2.0 * tau * v * v / d, max_relative = 1e-15);
        assert_relative_eq!(
            l.initial_jump + l.continuous + l.final_jump,
            l.total,
            max_relative = 4.0 * f64::EPSILON
        );
        // D19 limits: T → 0 both works → sudden, η0 → σ²/2; T → ∞ both → LR.
        let short = protocol(1e-12, 1.0, 1.0);
        assert_relative_eq!(
            short.min_excess_work(1.0).unwrap(),
            0.5,
            max_relative = 1e-11
        );
        assert_relative_eq!(
            short.ramp_excess_work(1.0).unwrap(),
            0.5,
            max_relative = 1e-11
        );
        assert_relative_eq!(short.initial_impulse(), 0.5, max_relative = 1e-11);
        let long = protocol(1e12, 1.0, 1.0);
        let lr = long.linear_response_excess_work(1.0).unwrap();
        assert_relative_eq!(long.min_excess_work(1.0).unwrap(), lr, max_relative = 1e-11);
        assert_relative_eq!(
            long.ramp_excess_work(1.0).unwrap(),
            lr,
            max_relative = 1e-11
        );
    }

    #[test]
    fn constant_rate_roots_classify_the_overshoot() {
        // D20: complex roots (an underdamped oscillator, which overshoots) iff η > D/4. The
        // overshoot itself, on the moment ODEs, is claim DV9.
        let p = protocol(40.0, 1.0, 1.0);
        for (eta, expect) in [(0.1, false), (0.25, false), (0.3, true), (1.0, true)] {
            assert_eq!(p.constant_rate_overshoots(eta).unwrap(), expect);
            let roots = p.constant_rate_roots(eta).unwrap();
            assert_eq!(roots[0].im != 0.0, expect, "roots {roots:?}");
            // Each root solves λ² + λ/τ + η/(σ²τ) = 0.
            for l in roots {
                let residual = l * l + l / p.relaxation_time() + eta / p.relaxation_time();
                assert!(residual.norm() < 1e-14, "eta {eta}: residual {residual}");
            }
        }
        assert!(p.constant_rate_overshoots(-1.0).is_err());
        // Tiny rate: the slow root −η/D·(1/τ)·… keeps full accuracy (−η/σ² to first order).
        let [slow, _] = p.constant_rate_roots(1e-20).unwrap();
        assert_relative_eq!(slow.re, -1e-20, max_relative = 1e-15);
    }

    #[test]
    fn invalid_inputs_name_the_parameter() {
        for (args, name) in [
            ((0.0, 1.0, 1.0), "duration"),
            ((1.0, f64::NAN, 1.0), "variance"),
            ((1.0, 1.0, -1.0), "diffusion"),
            ((f64::INFINITY, 1.0, 1.0), "duration"),
        ] {
            let e = GaussianProtocol::new(args.0, args.1, args.2).unwrap_err();
            assert_eq!(e.parameter(), Some(name), "{e}");
        }
        let p = protocol(2.0, 1.0, 1.0);
        for t in [0.0, 2.0, -1.0, 3.0] {
            let e = p.optimal_learning_rate(t).unwrap_err();
            assert_eq!(e.parameter(), Some("time"));
            assert_eq!(
                e.to_string(),
                format!("time must be inside the open interval (0, duration) = (0, 2) (got `{t}`)")
            );
        }
        let e = protocol(1e300, 1.0, 1.0)
            .optimal_learning_rate(2.5e300)
            .unwrap_err();
        assert!(
            e.to_string().ends_with("= (0, 1e300) (got `2.5e300`)"),
            "{e}"
        );
        assert_eq!(
            p.optimal_learning_rate(f64::NAN).unwrap_err().to_string(),
            "time must be finite (got NaN)"
        );
        assert_eq!(
            p.optimal_protocol(0.0, 1.0, 2.0).unwrap_err().parameter(),
            Some("time")
        );
        assert_eq!(
            p.optimal_protocol(f64::NAN, 1.0, 1.0)
                .unwrap_err()
                .parameter(),
            Some("start")
        );
        assert_eq!(
            p.optimal_protocol(0.0, f64::INFINITY, 1.0)
                .unwrap_err()
                .parameter(),
            Some("target")
        );
        assert_eq!(
            p.min_excess_work(f64::NAN).unwrap_err().parameter(),
            Some("distance")
        );
        assert_eq!(
            p.lower_bound(f64::NAN).unwrap_err().parameter(),
            Some("displacement")
        );
        assert_eq!(
            p.ramp_learning_rate(2.5).unwrap_err().parameter(),
            Some("time")
        );
        assert!(p.ramp_learning_rate(2.0).is_ok() && p.ramp_learning_rate(0.0).is_ok());
        assert!(p.optimal_chain_mean(0.0, 1.0, 0.0).is_ok());
        // Overflow outside the documented range is an input error naming the combination,
        // never inf.
        let tiny = protocol(1.0, 1e-300, 1.0);
        let e = tiny.sudden_excess_work(1e200).unwrap_err();
        assert!(e.is_input_error(), "{e}");
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        assert!(work_statistics(-1.0).is_err());
    }

    // Property tests over bounded, physical ranges.
    proptest! {
        /// D19 ordering W* ≤ W_lin ≤ W_sud for T, σ², D in [1e-3, 1e3] (log-uniform) and
        /// |Δ| in [1e-3, 1e3]; the closed forms are exact to a few ulps, so a 1e-14 relative
        /// slack covers rounding.
        #[test]
        fn d19_ordering(lt in -3.0f64..3.0, ls in -3.0f64..3.0, ld in -3.0f64..3.0,
                        delta in prop_oneof![-1e3f64..-1e-3, 1e-3f64..1e3]) {
            let p = protocol(10f64.powf(lt), 10f64.powf(ls), 10f64.powf(ld));
            let w_opt = p.min_excess_work(delta).unwrap();
            let w_lin = p.ramp_excess_work(delta).unwrap();
            let w_sud = p.sudden_excess_work(delta).unwrap();
            prop_assert!(w_opt <= w_lin * (1.0 + 1e-14), "{} > {}", w_opt, w_lin);
            prop_assert!(w_lin <= w_sud * (1.0 + 1e-14), "{} > {}", w_lin, w_sud);
            // D19 ratios.
            let x = p.reduced_duration();
            let lr = p.linear_response_excess_work(delta).unwrap();
            prop_assert!(rel_err(w_opt / lr, x / (x + 2.0)) < 1e-14);
            prop_assert!(rel_err(w_lin / w_sud, ramp_factor(x)) < 1e-14);
        }

        /// D15 target independence: the optimal schedule (η*, η0, ηT), which takes no target,
        /// brings every target, negative displacements included, to μ_D with W = W* on the
        /// moment-ODE engine (tolerance: its tol-vs-tol/10 estimate).
        /// T, σ², D in [0.1, 10] (log-uniform), θ0 and μ_D in [−5, 5].
        #[test]
        fn d15_target_independence(lt in -1.0f64..1.0, ls in -1.0f64..1.0, ld in -1.0f64..1.0,
                                   start in -5.0f64..5.0, target in -5.0f64..5.0) {
            let p = protocol(10f64.powf(lt), 10f64.powf(ls), 10f64.powf(ld));
            let schedule = p.optimal_schedule(true).unwrap();
            let (theta_t, w, est) = learn(&p, &schedule, start, target);
            let w_star = p.min_excess_work(target - start).unwrap();
            let tol = Tolerance::error_estimate(
                ESTIMATE_FACTOR, est, start.abs().max(target.abs()) + w_star);
            prop_assert!(tol.accepts(target, theta_t), "theta_T {} vs {} ({})", theta_t, target, tol);
            prop_assert!(tol.accepts(w_star, w), "W {} vs {} ({})", w, w_star, tol);
        }
    }

    // ---------------------------------------------------------------------------------------
    // The mpmath script that produced MPMATH_GAUSSIAN (and stiffness.rs's MPMATH_STIFFNESS),
    // python3 with mpmath 1.3.0; it prints the Rust rows. Kept verbatim for reproducibility.
    // ---------------------------------------------------------------------------------------
    // # Reference values for thermocheck-dissipation unit tests, from the spec formulas as written.
    // # mpmath at mp.dps = 50 (80 for the stiffness table, where W* - dF cancels ~25 digits at
    // # S = 1e9); every value is recomputed at twice the digits and must agree to 1e-30 relative.
    // from mpmath import mp, mpf, sqrt, exp, log, diff
    // import sys
    //
    // def gaussian(T, s2, D, delta):
    //     T, s2, D = mpf(T), mpf(s2), mpf(D)
    //     tau = s2 / D
    //     start = delta / 3.0                     # IEEE double, as in the Rust test
    //     target = start + delta                  # IEEE double
    //     t3 = T / 3                              # value of the f64 T/3.0 is passed separately below
    //     dl = mpf(delta)
    //     w_opt = dl**2 / (D*T + 2*s2)                                   # D12
    //     w_lin = dl**2 / (D*T**2) * (T - tau*(1 - exp(-T/tau)))         # D17
    //     return w_opt, w_lin, tau, mpf(start), mpf(target)
    //
    // def gaussian_row(T, s2, D, delta):
    //     w_opt, w_lin, tau, start, target = gaussian(T, s2, D, delta)
    //     t3 = mpf(T / 3.0)
    //     t7 = mpf(0.7 * T)
    //     Tm, s2m = mpf(T), mpf(s2)
    //     eta = s2m / (Tm + 2*tau - t3)                                  # D14
    //     eta0 = s2m * tau / (Tm + 2*tau)                                # D14
    //     theta = start + (target - start) * (t7 + tau) / (Tm + 2*tau)   # D13
    //     ramp = s2m / (Tm - t3 + tau*(1 - exp(-t3/tau)))                # D17
    //     return [w_opt, w_lin, eta, eta0, theta, ramp]
    //
    // def stiffness_row(ki, kf, T, D):
    //     ki, kf, Tm, Dm = mpf(ki), mpf(kf), mpf(T), mpf(D)
    //     S = Dm * Tm
    //     c = (-1 - kf*S + sqrt(1 + 2*ki*S + ki*kf*S**2)) / (2*S + kf*S**2)   # D26
    //     w = lambda t: (1 + c*Dm*t)**2 / ki
    //     k = lambda t: (ki - c*(1 + c*Dm*t)) / (1 + c*Dm*t)**2
    //     W = kf*(1 + c*S)**2/(2*ki) - mpf(1)/2 - log(1 + c*S) + c**2*S/ki
    //     dF = log(kf/ki) / 2
    //     MD = 1 / kf
    //     eta0 = 2*((ki - c) - ki) / (1/ki - MD)                               # D27
    //     etaT = 2*(kf - k(Tm)) / (w(Tm) - MD)
    //     t3 = mpf(0.3 * T)
    //     eta_t = 2*diff(k, t3) / (w(t3) - MD)
    //     return [c, W, dF, W - dF, w(Tm), eta0, etaT, eta_t, k(t3), w(t3)]
    //
    // def table(fn, rows, dps=50):
    //     out = []
    //     for r in rows:
    //         mp.dps = dps
    //         lo = fn(*r)
    //         mp.dps = 2 * dps
    //         hi = fn(*r)
    //         for a, b in zip(lo, hi):
    //             assert abs(a - b) <= mpf(10)**-30 * abs(b), (r, a, b)
    //         mp.dps = 50
    //         out.append(list(r) + [float(v) for v in lo])
    //     return out
    //
    // G = [
    //     (1e-9, 1.0, 1.0, 1.0), (1e-6, 1.0, 1.0, 1.0), (1e-3, 1.0, 1.0, -2.0), (0.3, 1.0, 1.0, 1.0),
    //     (0.999999, 1.0, 1.0, 1.0), (1.000001, 1.0, 1.0, 1.0), (0.5, 2.0, 4.0, 3.0),
    //     (1.0, 1.0, 1.0, 5.0), (7.0, 1.0, 1.0, 1.0), (1e3, 1.0, 1.0, 1.0), (1e9, 1.0, 1.0, 1.0),
    //     (3e-80, 2e-60, 7e10, 1e-35), (1e50, 1e-30, 1e-71, 1e40), (1e20, 1e80, 1e55, 1e45),
    //     (2.5e-7, 3e9, 1.2e7, -4e-3), (1e-30, 1e-90, 1e60, -1e-40), (5e-5, 0.02, 3e-2, 7e3),
    //     (1e90, 1e95, 1e14, 1e90), (1e-90, 1e-95, 1e-15, 1e-90),
    // ]
    // S = [
    //     (1.0, 2.0, 1e-9, 1.0), (1.0, 2.0, 1e9, 1.0), (1.0, 1.0 + 1e-8, 1.0, 1.0),
    //     (1.0, 1.0 - 1e-8, 1.0, 1.0), (1.0, 1.0 + 1e-8, 1e-9, 1.0), (1.0, 1.0 - 1e-8, 1e9, 1.0),
    //     (1.0, 1.0 + 1e-8, 1e9, 1.0), (3.0, 3.0 * (1 + 1e-6), 1e-5, 2e-4), (1.0, 1e-6, 1.0, 1.0),
    //     (1.0, 1e6, 1.0, 1.0), (1e-3, 1e3, 1e3, 1e-3), (2.0, 5.0, 4.0, 1.0), (1.0, 0.5, 0.3, 1.0),
    //     (1e40, 3e40, 1e-45, 2e3), (7e-30, 2e-30, 1e20, 1e12), (1.0, 4.0, 1e-9, 1e-3),
    //     (1.0, 0.25, 1e6, 1e3), (5.0, 5.0 * (1 - 1e-7), 1e4, 1e4),
    // ]
    //
    // def emit(name, rows):
    //     print(f"// {name}")
    //     for r in rows:
    //         print("    [" + ", ".join(format(v, '.17e') for v in r) + "],")
    //
    // emit("gaussian: T, s2, D, delta, W*, W_lin, eta*(T/3), eta0, theta*(0.7T), eta_lin(T/3)", table(gaussian_row, G))
    // emit("stiffness: ki, kf, T, D, c, W*, dF, W_ex, w(T), eta0, etaT, eta(0.3T), k(0.3T), w(0.3T)", table(stiffness_row, S, 80))
}
