//! Variance learning: the Schmiedl–Seifert stiffness protocol and its learning-rate realisation
//! (spec D25–D27).
//!
//! The model is $E_k(x) = kx^2/2$ (mean fixed at 0), the data are zero-mean with second moment
//! $M_D = \mathbb E_{p_D}[x^2]$, so the maximum-likelihood stiffness is $k_f = 1/M_D$. The chain stays
//! $\mathcal N(0, w)$ with $\dot w = 2D(1 - kw)$, $w(0) = 1/k_i$; learning is $\dot k = \eta(t)\,(w - M_D)/2$;
//! the work rate is $\dot k\,w/2$ and a jump $k^- \to k^+$ costs $(k^+ - k^-)\,w/2$; the free
//! energy is $F(k) = \tfrac12\ln(k/2\pi)$ (D25). Time enters only through $s = Dt$; write
//! $S = DT$. [`StiffnessProtocol`] holds the validated $(k_i, k_f, T, D)$ and the constants of the
//! optimal protocol (D26) and of its learning-rate realisation (D27).
//!
//! # Stable forms
//!
//! With $a = k_iS$, $b = k_fS$, $A = 1 + 2a + ab$, $B = 1 + b$ and $\delta = (k_f - k_i)/k_i$:
//!
//! - **$c$.** The spec's $c = (\sqrt A - B)/(S(2 + b))$ cancels for small $S$ and for
//!   $k_i \approx k_f$. Since $A - B^2 = (a - b)(2 + b) = (k_i - k_f)\,S\,(2 + b)$, multiplying by
//!   the conjugate gives exactly $c = (k_i - k_f)/(\sqrt A + B)$, a difference of inputs over a sum
//!   of positive terms.
//! - **$r = 1 + cS$** (so that $w^*(T) = r^2/k_i$): $r = (\sqrt A + 1 + a)/(\sqrt A + B)$, and since
//!   $(1 + a + \sqrt A)(\sqrt A - 1) = a(\sqrt A + B)$ also $r = (1 + \sqrt A)/(2 + b)$ — positive,
//!   no cancellation even when $r \ll 1$.
//! - **$1 + cs$** at $u = t/T$: $(1 - u) + u\,r$, a convex combination of positive numbers.
//! - **Final lag.** $\rho = k_f w^*(T)$ satisfies $y = \rho - 1 = 2\delta r/(\sqrt A + B) = -2cr/k_i$
//!   (expand $b(q + a)^2 - a(q + b)^2 = (b - a)(q^2 - ab)$ with $q = 1 + \sqrt A$, and
//!   $q^2 - ab = 2(1 + a + \sqrt A)$).
//! - **$W^*$.** $W^* = k_f r^2/(2k_i) - \tfrac12 - \ln r + c^2S/k_i = y/2 - \ln r + c^2S/k_i$; for
//!   compression all three terms are positive, for expansion the cancellation is bounded (see
//!   [`StiffnessProtocol::min_work`]).
//! - **$W^*_{ex}$.** $W^* - \tfrac12\ln(k_f/k_i)$ cancels completely for large $S$ (both terms tend
//!   to $\Delta F$). Since $-\ln r - \tfrac12\ln(k_f/k_i) = -\tfrac12\ln\rho$,
//!   $W^*_{ex} = \tfrac12(\rho - 1 - \ln\rho) + c^2S/k_i$: final lag KL plus entropy production,
//!   both non-negative.
//! - **D27.** With $M_D = 1/k_f$ the factor $\delta$ cancels between numerator and denominator:
//!   $\eta_0 = 2k_ik_f/(\sqrt A + B)$, $\eta_T = k_ik_f/r^2$, and
//!   $w^*(t) - M_D = \delta\,[(1 - u)S(p + r) + 2r/k_f]/(\sqrt A + B)$ with $p = 1 + cs$.
//!
//! # Accuracy
//!
//! A few ulps relative for $S$ from $10^{-9}$ to $10^{9}$ and $|k_f - k_i|/k_i$ down to $10^{-8}$
//! (and below), checked against 80-digit `mpmath` values of the spec's own formulas. Documented
//! range: $k_i, k_f, T, D \in [10^{-100}, 10^{100}]$ with $k_iS$, $k_fS \le 10^{300}$.

use crate::gaussian::{finite_result, time_inside, time_within};
use crate::schedule::{Gain, Schedule};
use num_dual::DualNum;
use serde::Serialize;
use thermocheck_numerics::error::{self, Error, Result};

/// Below this $|y|$ the lag $\psi(y) = y - \ln(1 + y)$ is summed as a series; there the closed
/// form would lose $\log_2(2/|y|)$ bits, above it at most a factor ≈ 10 (3 bits).
const LAG_SERIES_BELOW: f64 = 0.5;

/// Number of series terms for $\psi$: the first omitted term of
/// $\sum_{n\ge2} (-1)^n y^n/n$ relative to $y^2/2$ is $2|y|^{N-1}/(N+1) < 10^{-17}$ at
/// $|y| = 1/2$ for $N = 60$.
const LAG_SERIES_TERMS: i32 = 60;

/// $\psi(y) = y - \ln(1 + y) \ge 0$, accurate for $|y| \le 1/2$ (series) and, given
/// $\rho = 1 + y$ computed independently, for any $y$.
fn lag(y: f64, rho: f64) -> f64 {
    if y.abs() <= LAG_SERIES_BELOW {
        // Σ_{n≥2} (−y)^n / n · ... = y²/2 − y³/3 + y⁴/4 − …, summed from the smallest term.
        let mut acc = 0.0;
        for n in (2..=LAG_SERIES_TERMS).rev() {
            acc = 1.0 / f64::from(n) - y * acc;
        }
        y * y * acc
    } else {
        y - rho.ln()
    }
}

/// $p(t) = 1 + cs = (1 - u) + u\,r$, $u = t/T$. Generic for forward-mode AD.
fn width_ratio<N: DualNum<Primitive = f64> + Copy>(t: N, duration: f64, r: f64) -> N {
    (-t + duration) / duration + t / duration * r
}

/// $w^*(t) = p^2/k_i$.
fn variance_star<N: DualNum<Primitive = f64> + Copy>(t: N, duration: f64, r: f64, k_i: f64) -> N {
    let p = width_ratio(t, duration, r);
    p * p / k_i
}

/// $k^*(t) = (k_i - cp)/p^2$.
fn stiffness_star<N: DualNum<Primitive = f64> + Copy>(
    t: N,
    duration: f64,
    r: f64,
    k_i: f64,
    c: f64,
) -> N {
    let p = width_ratio(t, duration, r);
    (-p * c + k_i) / (p * p)
}

/// Where the minimal work of the stiffness protocol is spent (D26).
///
/// All entries are in units of $k_BT$; `initial_jump + continuous + final_jump == total` up to
/// rounding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StiffnessWorkLedger {
    /// $(k^*(0^+) - k_i)\,w(0)/2 = -c/(2k_i)$.
    pub initial_jump: f64,
    /// $\int_0^T \dot k^* w^*/2\,dt = -\ln r + c^2S/(2k_i)$.
    pub continuous: f64,
    /// $(k_f - k^*(T^-))\,w^*(T)/2 = -cr/(2k_i)$.
    pub final_jump: f64,
    /// $W^*$ ([`StiffnessProtocol::min_work`]).
    pub total: f64,
}

/// The optimal stiffness protocol from $k_i$ to $k_f$ in time $T$ at diffusion $D$, validated
/// (spec D25–D27).
///
/// The learning-rate realisation (D27) is for the data that make $k_f$ the maximum-likelihood
/// target, i.e. second moment $M_D = 1/k_f$: the data determine the target
/// ([`from_data_second_moment`](Self::from_data_second_moment) builds the protocol from $M_D$).
/// With this choice the D27 denominators $w^*(t) - M_D$ never vanish on $[0, T]$ (they carry the
/// sign of $k_f - k_i$ throughout), and at $k_f = k_i$ the schedule has a finite limit, which the
/// stable forms return.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StiffnessProtocol {
    k_i: f64,
    k_f: f64,
    duration: f64,
    diffusion: f64,
    /// $S = DT$.
    s: f64,
    /// $\sqrt A + B$.
    root_sum: f64,
    /// $c = (k_i - k_f)/(\sqrt A + B)$.
    c: f64,
    /// $r = 1 + cS = (1 + \sqrt A)/(2 + b)$.
    r: f64,
}

impl StiffnessProtocol {
    /// Validates the initial stiffness $k_i$, final stiffness $k_f$, duration $T$ and diffusion
    /// $D$, and evaluates the constants of the optimal protocol.
    ///
    /// $k_i$, $k_f$ are curvatures of $E_k = kx^2/2$ (per squared position unit, $k_BT = 1$),
    /// $T$ the duration (time units) and $D$ the chain's diffusion constant (squared position per
    /// unit time). Spec: D25, D26.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `initial-stiffness`, `final-stiffness`, `duration` or
    /// `diffusion` unless each is finite and > 0; [`Error::OutOfRange`] if $S = DT$ or $k S$
    /// leaves the range of `f64` (far outside the documented range).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// // c = −1/(√5 + 3) = −0.190983
    /// assert!((p.c() + 1.0 / (5.0f64.sqrt() + 3.0)).abs() < 1e-16);
    /// assert!(StiffnessProtocol::new(0.0, 2.0, 1.0, 1.0).is_err());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(
        initial_stiffness: f64,
        final_stiffness: f64,
        duration: f64,
        diffusion: f64,
    ) -> Result<Self> {
        let k_i = error::positive("initial-stiffness", initial_stiffness)?;
        let k_f = error::positive("final-stiffness", final_stiffness)?;
        let duration = error::positive("duration", duration)?;
        let diffusion = error::positive("diffusion", diffusion)?;
        let s = diffusion * duration;
        let (a, b) = (k_i * s, k_f * s);
        if !(s > 0.0 && s.is_finite() && a > 0.0 && a.is_finite() && b > 0.0 && b.is_finite()) {
            return Err(Error::OutOfRange {
                parameters: vec![
                    "initial-stiffness".into(),
                    "final-stiffness".into(),
                    "duration".into(),
                    "diffusion".into(),
                ],
                detail: format!(
                    "S = D·T = {}, k_i·S = {} and k_f·S = {} must be positive finite f64",
                    error::fmt_number(s),
                    error::fmt_number(a),
                    error::fmt_number(b)
                ),
            });
        }
        // √A = √(1 + 2a + ab), scaled by √a when ab would overflow.
        let sqrt_a = if a.max(b) <= 1e150 {
            (1.0 + a * (2.0 + b)).sqrt()
        } else {
            a.sqrt() * ((1.0 / a + 2.0) + b).sqrt()
        };
        let root_sum = sqrt_a + (1.0 + b);
        let c = (k_i - k_f) / root_sum;
        let r = (1.0 + sqrt_a) / (2.0 + b);
        Ok(StiffnessProtocol {
            k_i,
            k_f,
            duration,
            diffusion,
            s,
            root_sum,
            c,
            r,
        })
    }

    /// The protocol towards the maximum-likelihood stiffness $k_f = 1/M_D$ of zero-mean data with
    /// second moment $M_D$.
    ///
    /// $$k_f = \frac{1}{M_D},$$
    /// where $M_D = \mathbb E_{p_D}[x^2]$ (squared position units). Spec: D25.
    ///
    /// # Errors
    /// As [`new`](Self::new), with `data-second-moment` named instead of `final-stiffness`.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::from_data_second_moment(1.0, 0.5, 1.0, 1.0)?;
    /// assert_eq!(p.final_stiffness(), 2.0);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn from_data_second_moment(
        initial_stiffness: f64,
        data_second_moment: f64,
        duration: f64,
        diffusion: f64,
    ) -> Result<Self> {
        let m = error::positive("data-second-moment", data_second_moment)?;
        let k_f = 1.0 / m;
        if !k_f.is_finite() {
            return Err(Error::InvalidParameter {
                parameter: "data-second-moment".to_owned(),
                requirement: error::Requirement::GreaterThan(1.0 / f64::MAX),
                value: m,
            });
        }
        Self::new(initial_stiffness, k_f, duration, diffusion)
    }

    /// The initial stiffness $k_i$.
    pub fn initial_stiffness(&self) -> f64 {
        self.k_i
    }

    /// The final stiffness $k_f$.
    pub fn final_stiffness(&self) -> f64 {
        self.k_f
    }

    /// The duration $T$.
    pub fn duration(&self) -> f64 {
        self.duration
    }

    /// The diffusion constant $D$.
    pub fn diffusion(&self) -> f64 {
        self.diffusion
    }

    /// The reduced duration $S = DT$ (squared position units), through which alone $D$ and $T$
    /// enter.
    ///
    /// Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// assert_eq!(StiffnessProtocol::new(1.0, 2.0, 2.0, 0.5)?.reduced_duration(), 1.0);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn reduced_duration(&self) -> f64 {
        self.s
    }

    /// The data second moment for which $k_f$ is the maximum-likelihood target, $M_D = 1/k_f$.
    ///
    /// Spec: D25.
    pub fn data_second_moment(&self) -> f64 {
        1.0 / self.k_f
    }

    /// The rate constant $c$ of the optimal protocol: $\sqrt{w^*}$ grows linearly in $s = Dt$ with
    /// slope $c/\sqrt{k_i}$.
    ///
    /// $$c = \frac{-1 - k_fS + \sqrt{1 + 2k_iS + k_ik_fS^2}}{2S + k_fS^2} = \frac{k_i - k_f}{\sqrt{1 + 2k_iS + k_ik_fS^2} + 1 + k_fS},$$
    /// where $k_i$, $k_f$ are the initial and final stiffness and $S = DT$ (units of stiffness).
    /// The second form (module docs) is exact and cancellation-free; $c < 0$ for compression
    /// ($k_f > k_i$), $c > 0$ for expansion. Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// // DV12: (k_i, k_f, T, D) = (1, 0.5, 0.3, 1) gives c = 0.205543.
    /// let c = StiffnessProtocol::new(1.0, 0.5, 0.3, 1.0)?.c();
    /// assert!((c - 0.205543).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn c(&self) -> f64 {
        self.c
    }

    /// The ratio $r = 1 + cS$ of the chain's final to initial standard deviation.
    ///
    /// $$r = 1 + cS = \frac{1 + \sqrt{1 + 2k_iS + k_ik_fS^2}}{2 + k_fS} = \sqrt{k_i\,w^*(T)},$$
    /// where $c$ is [`c`](Self::c), $S = DT$, $k_i$, $k_f$ the stiffnesses and $w^*$ the chain
    /// variance (dimensionless, > 0). Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// assert!((p.final_width_ratio() - (1.0 + p.c())).abs() < 1e-16);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn final_width_ratio(&self) -> f64 {
        self.r
    }

    /// The chain variance on the optimal path, on the closed interval $[0, T]$ (it is continuous).
    ///
    /// $$w^*(t) = \frac{(1 + cs)^2}{k_i},\qquad 1 + cs = \Big(1 - \frac tT\Big) + \frac tT\,r,$$
    /// where $s = Dt$, $c$ is [`c`](Self::c), $k_i$ the initial stiffness, $t$ the time, $T$ the
    /// duration and $r = 1 + cS$ (squared position units). Its square root is linear in $t$.
    /// Spec: D26.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `time` unless $0 \le t \le T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// assert_eq!(p.variance(0.0)?, 1.0);
    /// assert!((p.variance(1.0)? - 0.654508).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn variance(&self, time: f64) -> Result<f64> {
        let t = time_within(time, self.duration)?;
        Ok(variance_star(t, self.duration, self.r, self.k_i))
    }

    /// The optimal stiffness for $0 < t < T$.
    ///
    /// $$k^*(t) = \frac{k_i - c\,(1 + cs)}{(1 + cs)^2},$$
    /// where $k_i$ is the initial stiffness, $c$ is [`c`](Self::c) and $s = Dt$ (units of
    /// stiffness). It jumps at both ends: $k_i \to k_i - c$ at $t = 0^+$ and
    /// $k^*(T^-) \to k_f$ at $t = T$ (see [`stiffness_after_initial_jump`](Self::stiffness_after_initial_jump),
    /// [`stiffness_before_final_jump`](Self::stiffness_before_final_jump)), so the time must lie
    /// in the open interval. Spec: D26.
    ///
    /// # Errors
    /// An error naming `time` unless $0 < t < T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// let (c, t) = (p.c(), 0.5);
    /// let expected = (1.0 - c * (1.0 + c * t)) / (1.0 + c * t).powi(2);
    /// assert!((p.stiffness(t)? - expected).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn stiffness(&self, time: f64) -> Result<f64> {
        let t = time_inside(time, self.duration)?;
        Ok(stiffness_star(t, self.duration, self.r, self.k_i, self.c))
    }

    /// The rate of change of the optimal stiffness for $0 < t < T$.
    ///
    /// $$\dot k^*(t) = -\frac{cD\,\bigl(2k_i - c\,(1 + cs)\bigr)}{(1 + cs)^3},$$
    /// where $c$ is [`c`](Self::c), $D$ the diffusion constant, $k_i$ the initial stiffness and
    /// $s = Dt$ (stiffness per unit time). Spec: D26 (differentiated).
    ///
    /// # Errors
    /// An error naming `time` unless $0 < t < T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// let h = 1e-6;
    /// let fd = (p.stiffness(0.5 + h)? - p.stiffness(0.5 - h)?) / (2.0 * h);
    /// assert!((p.stiffness_rate(0.5)? - fd).abs() < 1e-8);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn stiffness_rate(&self, time: f64) -> Result<f64> {
        let t = time_inside(time, self.duration)?;
        let p = width_ratio(t, self.duration, self.r);
        Ok(-self.c * self.diffusion * (2.0 * self.k_i - self.c * p) / (p * p * p))
    }

    /// The stiffness right after the initial jump, $k^*(0^+) = k_i - c$.
    ///
    /// $$k^*(0^+) = k_i - c,$$
    /// where $k_i$ is the initial stiffness and $c$ is [`c`](Self::c). Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// assert_eq!(p.stiffness_after_initial_jump(), 1.0 - p.c());
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn stiffness_after_initial_jump(&self) -> f64 {
        self.k_i - self.c
    }

    /// The stiffness right before the final jump, $k^*(T^-) = (k_i - cr)/r^2$.
    ///
    /// $$k^*(T^-) = \frac{k_i - c\,r}{r^2},$$
    /// where $k_i$ is the initial stiffness, $c$ is [`c`](Self::c) and $r = 1 + cS$. The final
    /// jump is $k_f - k^*(T^-) = -c/r$. Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// // k*(T⁻) = 1.763932 = k_f − 0.236068
    /// assert!((p.stiffness_before_final_jump() - 1.763932).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn stiffness_before_final_jump(&self) -> f64 {
        (self.k_i - self.c * self.r) / (self.r * self.r)
    }

    /// The minimal work $W^*$ (units of $k_BT$).
    ///
    /// $$W^* = \frac{k_f(1 + cS)^2}{2k_i} - \frac12 - \ln(1 + cS) + \frac{c^2S}{k_i}
    ///   = \frac y2 - \ln r + \frac{c^2S}{k_i},\qquad y = -\frac{2cr}{k_i},$$
    /// where $k_i$, $k_f$ are the stiffnesses, $c$ is [`c`](Self::c), $S = DT$ and $r = 1 + cS$.
    /// $y = k_f w^*(T) - 1$ exactly (module docs), so the second form drops the cancelling
    /// $\frac{k_fr^2}{2k_i} - \frac12$; $\ln r$ is `ln_1p(cS)` for $|cS| < 1/2$ and `ln(r)` with
    /// the stable $r$ otherwise. For compression all terms are positive; for expansion
    /// $W^* \in [\Delta F, (k_f - k_i)/(2k_i)]$ is negative and the terms cancel by at most a
    /// factor $2|\ln(k_f/k_i)|/|1 - k_f/k_i|$ (≈ 28 at $k_f/k_i = 10^{-6}$).
    /// Spec: D26; `thermocheck eval stiffness-min-work`.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// // DV12 first row: W* = 0.402918.
    /// let w = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?.min_work();
    /// assert!((w - 0.402918).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn min_work(&self) -> f64 {
        let y = self.final_lag_ratio();
        y / 2.0 - self.ln_r() + self.entropy_production()
    }

    /// $\ln r$, by `ln_1p(cS)` near $r = 1$ and `ln(r)` otherwise.
    fn ln_r(&self) -> f64 {
        let gamma = self.c * self.s;
        if gamma.abs() < 0.5 {
            gamma.ln_1p()
        } else {
            self.r.ln()
        }
    }

    /// $y = k_f w^*(T) - 1 = -2cr/k_i$.
    fn final_lag_ratio(&self) -> f64 {
        -2.0 * (self.c / self.k_i) * self.r
    }

    /// The free-energy change $\Delta F = \tfrac12\ln(k_f/k_i)$ (units of $k_BT$).
    ///
    /// $$\Delta F = \tfrac12\ln\frac{k_f}{k_i} = \tfrac12\,\operatorname{ln\_1p}\frac{k_f - k_i}{k_i},$$
    /// where $k_i$, $k_f$ are the stiffnesses. The `ln_1p` form is used for
    /// $|k_f - k_i| < k_i/2$ (where $k_f - k_i$ is exact), `ln` of the ratio otherwise, and
    /// $\ln k_f - \ln k_i$ if the ratio leaves the normal range. Spec: D25.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 1.0 + 1e-12, 1.0, 1.0)?;
    /// assert!((p.free_energy_change() / 5e-13 - 1.0).abs() < 1e-3);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn free_energy_change(&self) -> f64 {
        let delta = (self.k_f - self.k_i) / self.k_i;
        let ratio = self.k_f / self.k_i;
        if delta.abs() < 0.5 {
            0.5 * delta.ln_1p()
        } else if ratio.is_finite() && ratio >= f64::MIN_POSITIVE {
            0.5 * ratio.ln()
        } else {
            0.5 * (self.k_f.ln() - self.k_i.ln())
        }
    }

    /// The minimal excess work $W^*_{ex} = W^* - \Delta F \ge 0$ (units of $k_BT$).
    ///
    /// $$W^*_{ex} = W^* - \tfrac12\ln\frac{k_f}{k_i} = \tfrac12\bigl(\rho - 1 - \ln\rho\bigr) + \frac{c^2S}{k_i},
    ///   \qquad \rho = k_f\,w^*(T) = \frac{k_f r^2}{k_i},$$
    /// where $W^*$ is [`min_work`](Self::min_work), $k_i$, $k_f$ the stiffnesses, $c$ is
    /// [`c`](Self::c), $S = DT$ and $r = 1 + cS$: the final lag
    /// $D_{KL}(q_T\|p_{k_f})$ plus the entropy production, both non-negative, so nothing
    /// cancels (the spec's difference loses all digits when $S \to \infty$, where
    /// $W^* \to \Delta F$). $\rho - 1 - \ln\rho$ is a series in $y = \rho - 1 = -2cr/k_i$ for
    /// $|y| \le 1/2$. Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let w = StiffnessProtocol::new(2.0, 5.0, 4.0, 1.0)?.min_excess_work();
    /// assert!((w - 0.016075).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn min_excess_work(&self) -> f64 {
        self.final_lag_kl() + self.entropy_production()
    }

    /// The lag at the end, $D_{KL}(q_T\|p_{k_f}) = \tfrac12(\rho - 1 - \ln\rho)$, $\rho = k_f w^*(T)$.
    ///
    /// $$D_{KL}(q_T\|p_{k_f}) = \tfrac12\bigl(\rho - 1 - \ln\rho\bigr),\qquad \rho = \frac{k_f r^2}{k_i},$$
    /// where $k_i$, $k_f$ are the stiffnesses and $r = 1 + cS$ (units of $k_BT$). Spec: D26, D9.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// let rho = 2.0 * p.variance(1.0)?;
    /// assert!((p.final_lag_kl() - 0.5 * (rho - 1.0 - rho.ln())).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn final_lag_kl(&self) -> f64 {
        let y = self.final_lag_ratio();
        let rho = self.k_f * (self.r / self.k_i) * self.r;
        0.5 * lag(y, rho)
    }

    /// The entropy production of the optimal protocol, $c^2S/k_i$ (units of $k_BT$).
    ///
    /// $$\Sigma = \int_0^T\!\frac{\dot w^{*2}}{4D\,w^*}\,dt = \frac{c^2S}{k_i},$$
    /// where $w^*$ is the chain variance, $D$ the diffusion constant, $c$ is [`c`](Self::c),
    /// $S = DT$ and $k_i$ the initial stiffness. Spec: D26, D9.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// assert!((p.entropy_production() - p.c() * p.c()).abs() < 1e-16);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn entropy_production(&self) -> f64 {
        (self.c * self.s) * (self.c / self.k_i)
    }

    /// The work ledger: initial jump, continuous part and final jump of $W^*$.
    ///
    /// $$W^* = -\frac{c}{2k_i} + \Big(-\ln r + \frac{c^2S}{2k_i}\Big) - \frac{cr}{2k_i},$$
    /// where $c$ is [`c`](Self::c), $k_i$ the initial stiffness, $S = DT$ and $r = 1 + cS$
    /// (units of $k_BT$; the continuous part is $\int\dot k^*w^*/2\,dt$ in closed form). Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let l = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?.work_ledger();
    /// assert!((l.initial_jump + l.continuous + l.final_jump - l.total).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn work_ledger(&self) -> StiffnessWorkLedger {
        let half = self.c / (2.0 * self.k_i);
        StiffnessWorkLedger {
            initial_jump: -half,
            continuous: -self.ln_r() + self.entropy_production() / 2.0,
            final_jump: -half * self.r,
            total: self.min_work(),
        }
    }

    /// The slow-driving (large $DT$) limit of the excess work, the linear-response geodesic value.
    ///
    /// $$W^*_{ex} \to \frac{\bigl(k_i^{-1/2} - k_f^{-1/2}\bigr)^2}{DT},\qquad
    ///   k_i^{-1/2} - k_f^{-1/2} = \frac{k_f - k_i}{\sqrt{k_i}\sqrt{k_f}\,(\sqrt{k_i} + \sqrt{k_f})},$$
    /// where $k_i$, $k_f$ are the stiffnesses, $D$ the diffusion constant and $T$ the duration
    /// (units of $k_BT$; the second form does not cancel for $k_f \approx k_i$). See `metric.md`
    /// M14. Spec: D26.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 4.0, 1e6, 1.0)?;
    /// assert!((p.linear_response_excess_work() - 0.25e-6).abs() < 1e-20);
    /// assert!((p.min_excess_work() / p.linear_response_excess_work() - 1.0).abs() < 1e-5);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn linear_response_excess_work(&self) -> f64 {
        let (si, sf) = (self.k_i.sqrt(), self.k_f.sqrt());
        let gap = (self.k_f - self.k_i) / (si * sf * (si + sf));
        gap * gap / self.s
    }

    /// The initial impulse $\eta_0$ of the learning-rate realisation, for $M_D = 1/k_f$.
    ///
    /// $$\eta_0 = \frac{2\,(k^*(0^+) - k_i)}{1/k_i - M_D} = \frac{2k_ik_f}{\sqrt{1 + 2k_iS + k_ik_fS^2} + 1 + k_fS},$$
    /// where $k^*(0^+) = k_i - c$, $k_i$, $k_f$ the stiffnesses, $M_D = 1/k_f$ the data second
    /// moment and $S = DT$ (units of stiffness² × squared position, like every $\eta$ here). The
    /// second form follows from $-c = (k_f - k_i)/(\sqrt A + B)$ and
    /// $1/k_i - 1/k_f = (k_f - k_i)/(k_ik_f)$; it is finite at $k_f = k_i$. Spec: D27.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// // D27: (k_i, T, D) = (1, 1, 1), k_f = 2 gives η₀ = 3 − √5.
    /// let eta0 = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?.initial_impulse();
    /// assert!((eta0 - (3.0 - 5.0f64.sqrt())).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn initial_impulse(&self) -> f64 {
        2.0 * self.k_i * (self.k_f / self.root_sum)
    }

    /// The final impulse $\eta_T$ of the learning-rate realisation, for $M_D = 1/k_f$.
    ///
    /// $$\eta_T = \frac{2\,(k_f - k^*(T^-))}{w^*(T) - M_D} = \frac{k_ik_f}{r^2} = \frac{k_f}{w^*(T)},$$
    /// where $k_i$, $k_f$ are the stiffnesses, $k^*(T^-)$ the stiffness before the final jump,
    /// $w^*(T) = r^2/k_i$ the final chain variance, $M_D = 1/k_f$ and $r = 1 + cS$. The second
    /// form uses $k_f - k^*(T^-) = -c/r$ and $w^*(T) - 1/k_f = -2cr/(k_ik_f)$. Spec: D27.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// // D27: (k_i, T, D) = (1, 1, 1), k_f = 4 gives η_T = 10.833990.
    /// let eta_t = StiffnessProtocol::new(1.0, 4.0, 1.0, 1.0)?.final_impulse();
    /// assert!((eta_t - 10.833990).abs() < 5e-7);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn final_impulse(&self) -> f64 {
        self.k_i * (self.k_f / self.r) / self.r
    }

    /// The continuous learning rate of the realisation for $0 < t < T$, for $M_D = 1/k_f$.
    ///
    /// $$\eta(t) = \frac{2\dot k^*(t)}{w^*(t) - M_D}
    ///   = \frac{2Dk_i\,\bigl(2k_i - c\,p\bigr)}{p^3\,\bigl[(1 - u)\,S\,(p + r) + 2r/k_f\bigr]},
    ///   \qquad p = 1 + cs,\ u = t/T,$$
    /// where $\dot k^*$ is [`stiffness_rate`](Self::stiffness_rate), $w^*$ the chain variance,
    /// $M_D = 1/k_f$, $D$ the diffusion constant, $k_i$, $k_f$ the stiffnesses, $c$ is
    /// [`c`](Self::c), $s = Dt$, $S = DT$ and $r = 1 + cS$. The second form divides out the common
    /// factor $k_f - k_i$ (module docs); every bracket is positive. Spec: D27.
    ///
    /// # Errors
    /// An error naming `time` unless $0 < t < T$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// let t = 0.4;
    /// let direct = 2.0 * p.stiffness_rate(t)? / (p.variance(t)? - 0.5);
    /// assert!((p.learning_rate(t)? - direct).abs() < 1e-14);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn learning_rate(&self, time: f64) -> Result<f64> {
        let t = time_inside(time, self.duration)?;
        finite_result(
            "learning-rate",
            &[
                "initial-stiffness",
                "final-stiffness",
                "duration",
                "diffusion",
            ],
            self.rate_at(t),
        )
    }

    /// The stable form of $\eta(t)$ (see [`learning_rate`](Self::learning_rate)), unchecked: also
    /// defined at $t = 0$ and $t = T$, where it equals its one-sided limits.
    fn rate_at(&self, t: f64) -> f64 {
        let p = width_ratio(t, self.duration, self.r);
        let remaining = (self.duration - t) / self.duration;
        let gap = remaining * self.s * (p + self.r) + 2.0 * self.r / self.k_f;
        let numerator = 2.0 * self.diffusion * self.k_i * (2.0 * self.k_i - self.c * p);
        numerator / (p * p * p * gap)
    }

    /// The D27 learning-rate realisation as a [`Schedule`]: impulse $\eta_0$, rate $\eta(t)$,
    /// impulse $\eta_T$.
    ///
    /// $$\eta(t) = \frac{2\dot k^*(t)}{w^*(t) - M_D}\quad(0 \le t \le T),\qquad
    ///   \eta \ni \eta_0\,\delta(t) + \eta_T\,\delta(t - T),$$
    /// where $\dot k^*$ is [`stiffness_rate`](Self::stiffness_rate), $w^*$ the chain variance,
    /// $M_D = 1/k_f$ the data second moment, and $\eta_0$, $\eta_T$ the impulses
    /// ([`initial_impulse`](Self::initial_impulse), [`final_impulse`](Self::final_impulse)).
    /// The continuous part is evaluated in the stable form of
    /// [`learning_rate`](Self::learning_rate) and extended to the closed interval by continuity,
    /// so an ODE solver may evaluate it at both ends. Run on the stiffness family from $k_i$ with
    /// zero-mean data of second moment $M_D = 1/k_f$, it realises the optimal protocol of D26
    /// ($k(T^+) = k_f$, $W = W^*$). Unlike D15 it depends on the target $k_f$. Spec: D27.
    ///
    /// # Errors
    /// Only if the schedule cannot be built (it always can for a validated protocol).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_dissipation::stiffness::StiffnessProtocol;
    /// use thermocheck_dissipation::schedule::Gain;
    /// let p = StiffnessProtocol::new(1.0, 2.0, 1.0, 1.0)?;
    /// let s = p.schedule()?;
    /// assert_eq!(s.gain(0.4, 1)?, Gain::Scalar(p.learning_rate(0.4)?));
    /// // D27: η₀ = 3 − √5.
    /// assert_eq!(s.impulses()[0].gain, Gain::Scalar(p.initial_impulse()));
    /// assert!((p.initial_impulse() - (3.0 - 5.0f64.sqrt())).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn schedule(&self) -> Result<Schedule> {
        let protocol = *self;
        let duration = self.duration;
        Schedule::scalar(
            "stiffness learning-rate realisation η(t) with impulses η₀, η_T (D27)",
            duration,
            move |t| protocol.rate_at(t.clamp(0.0, duration)),
        )?
        .with_impulse(0.0, Gain::Scalar(self.initial_impulse()))?
        .with_impulse(duration, Gain::Scalar(self.final_impulse()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use num_dual::Dual64;
    use proptest::prelude::*;
    use thermocheck_numerics::Tolerance;
    use thermocheck_numerics::ode::{OdeOptions, from_fn, integrate};

    fn protocol(k_i: f64, k_f: f64, t: f64, d: f64) -> StiffnessProtocol {
        StiffnessProtocol::new(k_i, k_f, t, d).unwrap()
    }

    fn rel_err(observed: f64, expected: f64) -> f64 {
        ((observed - expected) / expected).abs()
    }

    /// The spec's DV12 table, typed once in the claim that checks it (claim DV12 compares c, W*,
    /// ΔF, W*_ex and w*(T) with the closed forms); here its rows are parameter points.
    use crate::claims::stiffness::DV12_TABLE as DV12;

    #[test]
    fn ledger_identities_hold_at_the_table_points() {
        for row in DV12 {
            let [k_i, k_f, t, d] = [row[0], row[1], row[2], row[3]];
            let p = protocol(k_i, k_f, t, d);
            // W*_ex = W* − ΔF to round-off; the ledger sums to W*.
            assert!((p.min_excess_work() - (p.min_work() - p.free_energy_change())).abs() < 1e-15);
            let l = p.work_ledger();
            assert!((l.initial_jump + l.continuous + l.final_jump - l.total).abs() < 1e-15);
        }
        // D and T enter only through DT: rows 1 and 2 agree to round-off.
        let (a, b) = (protocol(1.0, 2.0, 1.0, 1.0), protocol(1.0, 2.0, 2.0, 0.5));
        assert_eq!(a.c(), b.c());
        assert_eq!(a.min_work(), b.min_work());
        // Sign of c: negative for compression, positive for expansion.
        assert!(protocol(1.0, 2.0, 1.0, 1.0).c() < 0.0 && protocol(1.0, 0.5, 1.0, 1.0).c() > 0.0);
    }

    #[test]
    fn d27_impulses_match_the_spec() {
        const SPEC_ROUNDING: f64 = 5e-7; // spec rounds to 6 decimals
        for (k_f, eta0, eta_t) in [(2.0, 0.763932, 3.055728), (4.0, 1.046333, 10.833990)] {
            let p = protocol(1.0, k_f, 1.0, 1.0);
            assert!(
                (p.initial_impulse() - eta0).abs() <= SPEC_ROUNDING,
                "eta0 {}",
                p.initial_impulse()
            );
            assert!(
                (p.final_impulse() - eta_t).abs() <= SPEC_ROUNDING,
                "etaT {}",
                p.final_impulse()
            );
            // Against the spec's defining quotients, evaluated directly (well-conditioned here).
            let m_d = 1.0 / k_f;
            let direct0 = 2.0 * (p.stiffness_after_initial_jump() - 1.0) / (1.0 - m_d);
            let w_t = p.variance(1.0).unwrap();
            let direct_t = 2.0 * (k_f - p.stiffness_before_final_jump()) / (w_t - m_d);
            assert_relative_eq!(p.initial_impulse(), direct0, max_relative = 1e-14);
            assert_relative_eq!(p.final_impulse(), direct_t, max_relative = 1e-14);
        }
        assert!(
            (protocol(1.0, 2.0, 1.0, 1.0).initial_impulse() - (3.0 - 5f64.sqrt())).abs() < 1e-15
        );
    }

    /// Reference values from mpmath 1.3.0 at `mp.dps = 80` (checked unchanged at 160 digits),
    /// computed from the spec's formulas as written: c = (−1 − k_fS + √(1 + 2k_iS + k_ik_fS²))/
    /// (2S + k_fS²), w*(t) = (1+cs)²/k_i, k*(t) = (k_i − c(1+cs))/(1+cs)², W* = k_f(1+cS)²/(2k_i)
    /// − 1/2 − ln(1+cS) + c²S/k_i, ΔF = ln(k_f/k_i)/2, W*_ex = W* − ΔF (D26); η0, η_T, η(t) from
    /// the D27 quotients with M_D = 1/k_f and k̇* by mpmath's numerical `diff` of k*(t). 80 digits
    /// because W* − ΔF cancels ~25 digits at S = 1e9, |k_f − k_i|/k_i = 1e-8. The script is at
    /// the end of `gaussian.rs`'s test module.
    /// Columns: k_i, k_f, T, D, c, W*, ΔF, W*_ex, w*(T), η0, η_T, η(0.3T), k*(0.3T), w*(0.3T).
    #[rustfmt::skip]
    #[allow(clippy::approx_constant)] // ΔF = ln 2 rows are mpmath output, not typed constants
    const MPMATH_STIFFNESS: &[[f64; 14]] = &[
    [1.0, 2.0, 1e-09, 1.0, -0.49999999925, 0.49999999975, 0.34657359027997264, 0.15342640947002734, 0.999999999, 1.999999997, 2.000000002, 4.9999999961, 1.499999999625, 0.9999999997],
    [1.0, 2.0, 1000000000.0, 1.0, -2.9289321866700587e-10, 0.3465735903657591, 0.34657359027997264, 8.578643758401173e-11, 0.5000000002071068, 1.1715728746680235e-09, 3.999999998343146, 4.65026732434667e-09, 1.201944966253296, 0.8319848481784972],
    [1.0, 1.00000001, 1.0, 1.0, -2.4999999769938225e-09, 4.999999957112645e-09, 4.9999999446126456e-09, 1.2499999717854896e-17, 0.999999995, 0.5000000034375, 1.000000015, 1.1764706017906574, 1.0000000039999999, 0.9999999985],
    [1.0, 0.99999999, 1.0, 1.0, 2.5000000203743982e-09, -5.000000037623797e-09, -5.000000050123797e-09, 1.2500000255827319e-17, 1.000000005, 0.4999999965625, 0.999999985, 1.1764705746799307, 0.999999996, 1.0000000015],
    [1.0, 1.00000001, 1e-09, 1.0, -4.999999964612645e-09, 4.999999969612645e-09, 4.9999999446126456e-09, 2.499999950445979e-17, 1.0, 1.0000000089999999, 1.00000001, 2.0000000235999997, 1.000000005, 1.0],
    [1.0, 0.99999999, 1000000000.0, 1.0, 5.000000057623797e-18, -5.000000050123797e-09, -5.000000050123797e-09, 2.5000000601237974e-26, 1.0000000100000002, 9.999999965e-10, 0.99999998, 2.8571428309183673e-09, 0.999999997, 1.000000003],
    [1.0, 1.00000001, 1000000000.0, 1.0, -4.999999927112646e-18, 4.9999999446126456e-09, 4.9999999446126456e-09, 2.4999999296126465e-26, 0.9999999900000002, 1.0000000015e-09, 1.0000000199999999, 2.8571428752040816e-09, 1.000000003, 0.9999999970000001],
    [3.0, 3.0000029999999995, 1e-05, 0.0002, -1.4999999907655734e-06, 4.999999999218577e-07, 4.99999749922026e-07, 2.499998317553177e-13, 0.3333333333333313, 9.000008945999918, 9.000009000000052, 0.010800013454642642, 3.000001499999996, 0.33333333333333276],
    [1.0, 1e-06, 1.0, 1.0, 0.36602486510956134, -0.6779298289545403, -6.907755278982137, 6.2298254500275965, 1.8660239320975953, 7.32050462269585e-07, 5.358988075120244e-07, 8.535468363266015e-07, 0.48209473496445854, 1.2316725972347993],
    [1.0, 1000000.0, 1.0, 1.0, -0.9989990005020001, 7.905755280649802, 6.907755278982137, 0.9980000016676647, 1.0019999949960098e-06, 1.9979999990039992, 998003997000.0022, 32.02386012866449, 3.4655958815990022, 0.49042050996915953],
    [0.001, 1000.0, 1000.0, 0.001, -0.9975898997081178, 1003.6179866255744, 6.907755278982137, 996.7102313465923, 0.005808583416930449, 0.00199518179459803, 172159.01506816113, 8.279234491026605e-06, 1.425694538629317, 491.01276489509803],
    [2.0, 5.0, 4.0, 1.0, -0.08745301482215828, 0.47422032574037004, 0.45814536593707755, 0.016074959803292502, 0.21137217912324394, 0.5830200988143885, 23.654957907609354, 4.959974109081351, 2.5941931326058127, 0.400562963670479],
    [1.0, 0.5, 0.3, 1.0, 0.20554346331483103, -0.2653800467053078, -0.34657359027997264, 0.08119354357466486, 1.1271284083669295, 0.41108692662966206, 0.4436051795770444, 0.7237536606361635, 0.7621938622391189, 1.0373400331306923],
    [1e+40, 3e+40, 1e-45, 2000.0, -9.613572450017526e+39, 0.9807716354696394, 0.5493061443340549, 0.4314654911355845, 9.619153933009369e-41, 2.8840717350052575e+80, 3.1187774110830196e+80, 1.7652604246322675e+124, 1.9785715374727542e+40, 9.884969845390695e-41],
    [7e-30, 2e-30, 1e+20, 1000000000000.0, 8.665012040162793e-33, -0.6253035233014901, -0.626381484247684, 0.0010779609461938696, 4.9768953494203145e+29, 4.852406742491165e-62, 4.018569528959356e-60, 4.436280429403356e-79, 4.40264123800333e-30, 2.2678213038575957e+29],
    [1.0, 4.0, 1e-09, 0.001, -1.49999999999625, 1.49999999999775, 0.6931471805599453, 0.8068528194378047, 0.999999999997, 3.99999999999, 4.000000000012, 0.013999999999983, 2.499999999997825, 0.9999999999991],
    [1.0, 0.25, 1000000.0, 1000.0, 9.99999996e-10, -0.6931471795599453, -0.6931471805599453, 9.99999996e-10, 3.999999984, 6.66666664e-10, 0.06250000024999999, 7.881664660929457e-07, 0.5917159766545289, 1.68999999688],
    [5.0, 4.9999995, 10000.0, 10000.0, 5.000000361258027e-16, -5.0000002462580136e-08, -5.000000246258014e-08, 5.000000732516082e-24, 0.20000002000000194, 4.999999864999993e-08, 24.999995000000258, 0.0071428565688775375, 4.999999849999992, 0.20000000600000048],
    ];

    #[test]
    fn extreme_parameters_match_mpmath() {
        // A handful of roundings per formula; the bounded expansion cancellation of W* (≤ 28×
        // at k_f/k_i = 1e-6) is the worst case. 64 ε ≈ 1.4e-14, well inside the issue's 1e-12.
        const BOUND: f64 = 64.0 * f64::EPSILON;
        let names = [
            "c",
            "W*",
            "dF",
            "W*_ex",
            "w*(T)",
            "eta0",
            "etaT",
            "eta(0.3T)",
            "k*(0.3T)",
            "w*(0.3T)",
        ];
        let mut worst = [0.0f64; 10];
        for row in MPMATH_STIFFNESS {
            let [k_i, k_f, t, d] = [row[0], row[1], row[2], row[3]];
            let p = protocol(k_i, k_f, t, d);
            let t3 = 0.3 * t;
            let observed = [
                p.c(),
                p.min_work(),
                p.free_energy_change(),
                p.min_excess_work(),
                p.variance(t).unwrap(),
                p.initial_impulse(),
                p.final_impulse(),
                p.learning_rate(t3).unwrap(),
                p.stiffness(t3).unwrap(),
                p.variance(t3).unwrap(),
            ];
            for (i, o) in observed.into_iter().enumerate() {
                let e = row[4 + i];
                let err = rel_err(o, e);
                worst[i] = worst[i].max(err);
                assert!(
                    err <= BOUND,
                    "{} at {row:?}: expected {e:e}, observed {o:e}, rel err {err:.2e}",
                    names[i]
                );
            }
        }
        eprintln!("worst relative errors vs mpmath {names:?}: {worst:?}");
    }

    #[test]
    fn naive_spec_forms_would_fail_where_the_stable_ones_hold() {
        // S = 1e-9, k_f = k_i(1 + 1e-8): the spec's numerator −1 − k_fS + √A is −δS ≈ −1e-17,
        // below an ulp of 1, so the naive c has no correct digit.
        let naive_c = |k_i: f64, k_f: f64, s: f64| {
            (-1.0 - k_f * s + (1.0 + 2.0 * k_i * s + k_i * k_f * s * s).sqrt())
                / (2.0 * s + k_f * s * s)
        };
        let (k_i, k_f) = (1.0f64, 1.0 + 1e-8);
        // mpmath (row of MPMATH_STIFFNESS): c = −4.99999996461264523e-09.
        let c_small = -4.999999964612645e-9;
        assert!(rel_err(naive_c(k_i, k_f, 1e-9), c_small) > 1e-3);
        assert!(rel_err(protocol(k_i, k_f, 1e-9, 1.0).c(), c_small) < 1e-15);
        // S = 1e9: the naive c keeps ~9 digits, but W* − ΔF cancels 17 more.
        let s = 1e9f64;
        let naive_c = naive_c(k_i, k_f, s);
        let p = protocol(k_i, k_f, s, 1.0);
        // mpmath: c = −4.99999992711264620e-18.
        assert!(rel_err(naive_c, -4.999999927112646e-18) > 1e-10);
        assert!(rel_err(p.c(), -4.999999927112646e-18) < 1e-15);
        let naive_w =
            k_f * (1.0 + naive_c * s).powi(2) / (2.0 * k_i) - 0.5 - (1.0 + naive_c * s).ln()
                + naive_c * naive_c * s / k_i;
        let naive_ex = naive_w - 0.5 * (k_f / k_i).ln();
        assert!(
            rel_err(naive_ex, 2.4999999296126465e-26) > 1.0,
            "naive W_ex {naive_ex}"
        );
        assert!(rel_err(p.min_excess_work(), 2.4999999296126465e-26) < 1e-14);
    }

    #[test]
    fn lag_series_is_continuous_across_the_switch() {
        for y in [LAG_SERIES_BELOW, -LAG_SERIES_BELOW] {
            let series = lag(y, 1.0 + y);
            let closed = y - (1.0 + y).ln();
            assert_relative_eq!(series, closed, max_relative = 8.0 * f64::EPSILON);
        }
        // ψ(y) = y²/2 − y³/3 + … at y = 1e-9.
        assert_relative_eq!(
            lag(1e-9, 1.0 + 1e-9),
            0.5e-18 - 1e-27 / 3.0,
            max_relative = f64::EPSILON
        );
    }

    #[test]
    fn optimal_path_satisfies_the_chain_dynamics_under_automatic_differentiation() {
        // ẇ* = 2D(1 − k*w*) and the analytic k̇* against forward-mode AD of k*(t).
        for row in DV12 {
            let [k_i, k_f, t_end, d] = [row[0], row[1], row[2], row[3]];
            let p = protocol(k_i, k_f, t_end, d);
            for frac in [0.05, 0.3, 0.7, 0.95] {
                let t = Dual64::from_re(frac * t_end).derivative();
                let w = variance_star(t, t_end, p.r, k_i);
                let k = stiffness_star(t, t_end, p.r, k_i, p.c);
                assert_relative_eq!(
                    w.eps,
                    2.0 * d * (1.0 - k.re * w.re),
                    max_relative = 1e-12,
                    epsilon = 1e-15
                );
                assert_relative_eq!(k.eps, p.stiffness_rate(t.re).unwrap(), max_relative = 1e-13);
                // η realises k̇: η(w − M_D)/2 = k̇.
                let eta = p.learning_rate(t.re).unwrap();
                assert_relative_eq!(eta * (w.re - 1.0 / k_f) / 2.0, k.eps, max_relative = 1e-13);
            }
        }
    }

    // The D27 schedule through the moment ODEs (W*, k_f, w*(T) for every DV12 row) is claim
    // DV12 in `claims/stiffness.rs`, run by `cargo test` through the quick profile.

    #[test]
    fn prescribed_protocol_drives_the_chain_along_w_star() {
        // Integrate ẇ = 2D(1 − k*(t)w) alone from w(0) = 1/k_i with k*(t) prescribed: the chain
        // must follow w*(t) (checks D26's pairing of k* and w*, independently of D27).
        let p = protocol(0.5, 3.0, 0.7, 1.3);
        let t_end = p.duration();
        let system = from_fn(1, |t, y: &[f64], dy: &mut [f64]| {
            let k = stiffness_star(t, t_end, p.r, p.k_i, p.c);
            dy[0] = 2.0 * p.diffusion() * (1.0 - k * y[0]);
        });
        let sol = integrate(&system, 0.0, t_end, &[2.0], &OdeOptions::default()).unwrap();
        let tol = Tolerance::error_estimate(10.0, sol.report.error_estimate.unwrap(), 1.0);
        assert!(
            tol.accepts(p.variance(t_end).unwrap(), sol.y[0]),
            "{} vs {}",
            sol.y[0],
            p.variance(t_end).unwrap()
        );
    }

    #[test]
    fn equal_stiffnesses_give_the_finite_limits() {
        let p = protocol(2.0, 2.0, 1.5, 0.4);
        assert_eq!(p.c(), 0.0);
        assert_eq!(
            (p.min_work(), p.min_excess_work(), p.free_energy_change()),
            (0.0, 0.0, 0.0)
        );
        // η0 = 2k²/(√A + B) with A = (1 + kS)², B = 1 + kS: k²/(1 + kS).
        let s = 0.6;
        assert_relative_eq!(
            p.initial_impulse(),
            4.0 / (1.0 + 2.0 * s),
            max_relative = 1e-15
        );
        assert_relative_eq!(p.final_impulse(), 4.0, max_relative = 1e-15);
        assert!(p.learning_rate(0.7).unwrap().is_finite());
        // Continuity of the schedule in k_f through k_f = k_i.
        let q = protocol(2.0, 2.0 * (1.0 + 1e-9), 1.5, 0.4);
        assert_relative_eq!(
            p.learning_rate(0.7).unwrap(),
            q.learning_rate(0.7).unwrap(),
            max_relative = 1e-8
        );
    }

    #[test]
    fn large_dt_tends_to_the_linear_response_value() {
        for (k_i, k_f) in [(1.0, 2.0), (3.0, 0.5)] {
            let p = protocol(k_i, k_f, 1e9, 1.0);
            let lr = (1.0 / f64::sqrt(k_i) - 1.0 / f64::sqrt(k_f)).powi(2) / 1e9;
            assert_relative_eq!(p.linear_response_excess_work(), lr, max_relative = 1e-14);
            // W*_ex = LR·(1 + O(1/S)).
            assert_relative_eq!(p.min_excess_work(), lr, max_relative = 1e-7);
        }
    }

    #[test]
    fn invalid_inputs_name_the_parameter() {
        for (args, name) in [
            ((0.0, 1.0, 1.0, 1.0), "initial-stiffness"),
            ((1.0, -1.0, 1.0, 1.0), "final-stiffness"),
            ((1.0, 1.0, f64::NAN, 1.0), "duration"),
            ((1.0, 1.0, 1.0, f64::INFINITY), "diffusion"),
        ] {
            let e = StiffnessProtocol::new(args.0, args.1, args.2, args.3).unwrap_err();
            assert_eq!(e.parameter(), Some(name), "{e}");
        }
        let e = StiffnessProtocol::from_data_second_moment(1.0, 0.0, 1.0, 1.0).unwrap_err();
        assert_eq!(e.parameter(), Some("data-second-moment"));
        let p = protocol(1.0, 2.0, 1.0, 1.0);
        for t in [0.0, 1.0] {
            assert_eq!(p.stiffness(t).unwrap_err().parameter(), Some("time"));
            assert_eq!(p.learning_rate(t).unwrap_err().parameter(), Some("time"));
            assert!(p.variance(t).is_ok());
        }
        assert_eq!(p.variance(1.5).unwrap_err().parameter(), Some("time"));
    }

    /// Work of a piecewise-constant stiffness protocol with jumps, in closed form: on a piece
    /// of length h at stiffness k the variance relaxes as w ← 1/k + (w − 1/k)e^{−2kDh} (exact
    /// OU), no work is done; each jump k⁻ → k⁺ costs (k⁺ − k⁻)w/2; the last jump goes to k_f.
    fn piecewise_work(k_i: f64, k_f: f64, levels: &[f64], duration: f64, d: f64) -> f64 {
        let h = duration / levels.len() as f64;
        let (mut k, mut w, mut work) = (k_i, 1.0 / k_i, 0.0);
        for &level in levels {
            work += (level - k) * w / 2.0;
            k = level;
            w = 1.0 / k + (w - 1.0 / k) * (-2.0 * k * d * h).exp();
        }
        work + (k_f - k) * w / 2.0
    }

    proptest! {
        /// D26 optimality: no piecewise-constant protocol (1–8 pieces, levels in [0.2, 5])
        /// beats W*, for k_i, k_f in [0.2, 5], T in [0.1, 5], D in [0.2, 2]. Slack 1e-12 covers
        /// rounding of both closed forms.
        #[test]
        fn no_piecewise_constant_protocol_beats_the_optimum(
            k_i in 0.2f64..5.0, k_f in 0.2f64..5.0, t in 0.1f64..5.0, d in 0.2f64..2.0,
            levels in proptest::collection::vec(0.2f64..5.0, 1..8)) {
            let p = protocol(k_i, k_f, t, d);
            let w = piecewise_work(k_i, k_f, &levels, t, d);
            prop_assert!(w >= p.min_work() - 1e-12, "piecewise {} < W* {}", w, p.min_work());
        }

        /// The optimal protocol sampled at many pieces approaches W* from above (64 pieces:
        /// within 5 % of the excess work). Same ranges.
        #[test]
        fn sampled_optimum_approaches_from_above(
            k_i in 0.2f64..5.0, k_f in 0.2f64..5.0, t in 0.1f64..5.0, d in 0.2f64..2.0) {
            let p = protocol(k_i, k_f, t, d);
            let n = 256;
            let levels: Vec<f64> = (0..n)
                .map(|j| p.stiffness((j as f64 + 0.5) / n as f64 * t).unwrap())
                .collect();
            let w = piecewise_work(k_i, k_f, &levels, t, d);
            prop_assert!(w >= p.min_work() - 1e-12);
            prop_assert!(w - p.min_work() <= 0.05 * p.min_excess_work() + 1e-12,
                "sampled {} vs W* {} (excess {})", w, p.min_work(), p.min_excess_work());
        }
    }
}
