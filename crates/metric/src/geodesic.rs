//! Geodesic distances and constant-speed geodesic schedules of the friction metric (spec M14, M15).
//!
//! **Stiffness** $E_k = kx^2/2$: $\zeta(k) = 1/(4Dk^3)$ (M11), so $\sqrt\zeta\,dk = -D^{-1/2}\,d(k^{-1/2})$
//! and the metric is flat in the standard deviation $\sigma = k^{-1/2}$:
//! $\mathcal D_\zeta(k_i, k_f) = |k_i^{-1/2} - k_f^{-1/2}|/\sqrt D$, the constant-speed geodesic is
//! linear in $\sigma$ ([`StiffnessGeodesic`]) and costs $W^{LR}_{ex} = \mathcal D_\zeta^2/T$; the
//! protocol linear in $k$ costs more ([`stiffness_linear_work`]).
//!
//! **Two-parameter Gaussian** $E = k(x-\mu)^2/2$: $\zeta = \operatorname{diag}(1/D, 1/(4Dk^3))$ (M12) is
//! $ds^2 = (d\mu^2 + d\sigma^2)/D$, flat in $(\mu, \sigma)$; geodesics are straight lines there
//! ([`MeanStiffnessGeodesic`], parametrised in the family's coordinates $(\mu, k)$) and
//! $W^{LR}_{ex} = W_2^2/(DT)$ with the Wasserstein distance $W_2^2 = \Delta\mu^2 + \Delta\sigma^2$ (M15).
//!
//! # Stable forms
//!
//! $k_i^{-1/2} - k_f^{-1/2} = (k_f - k_i)/\big(\sqrt{k_i}\sqrt{k_f}(\sqrt{k_i} + \sqrt{k_f})\big)$: a
//! difference of inputs over positive factors, with no cancellation when $k_f \approx k_i$; the
//! division runs as $\big((k_f-k_i)/(\sqrt{k_i}+\sqrt{k_f})\big)/\sqrt{k_{max}}/\sqrt{k_{min}}$ so no
//! intermediate exceeds the result's range. Squares over $DT$ are taken as
//! $(g/\sqrt D/\sqrt T)^2$. Accuracy: a few ulps relative over $k, D, T \in [10^{-100}, 10^{100}]$
//! (tests against 30-digit `mpmath`).

use crate::protocol::Protocol;
use nalgebra::DVector;
use thermocheck_numerics::error::{self, Error, Result, fmt_number};

/// $k_i^{-1/2} - k_f^{-1/2}$ for validated $k_i, k_f > 0$, without cancellation.
fn inverse_root_gap(k_i: f64, k_f: f64) -> f64 {
    let (ri, rf) = (k_i.sqrt(), k_f.sqrt());
    let (big, small) = if ri >= rf { (ri, rf) } else { (rf, ri) };
    (k_f - k_i) / (ri + rf) / big / small
}

/// `value` if it is a finite normal `f64`, or exactly 0 when `exact_zero` (equal endpoints);
/// otherwise [`Error::OutOfRange`] naming `parameters`. The one representability policy of this
/// module and of `friction-quartic`: a true value that overflows, or underflows below the normal
/// range (where it would lose relative accuracy or flush to a false 0), is an input error.
pub(crate) fn representable(
    value: f64,
    exact_zero: bool,
    parameters: &[&str],
    what: &str,
) -> Result<f64> {
    if value.is_finite() && (value.abs() >= f64::MIN_POSITIVE || (value == 0.0 && exact_zero)) {
        Ok(value)
    } else {
        let why = if value.is_finite() {
            "underflows below the normal f64 range"
        } else {
            "overflows f64"
        };
        Err(Error::out_of_range(
            parameters,
            format!("{what} {why} (got {})", fmt_number(value)),
        ))
    }
}

/// $(g/\sqrt D/\sqrt T)^2$, i.e. $g^2/(DT)$, for a gap $g$ that is zero exactly when
/// `exact_zero` ([`representable`]).
fn squared_over(
    gap: f64,
    exact_zero: bool,
    diffusion: f64,
    duration: f64,
    parameters: &[&str],
) -> Result<f64> {
    let r = gap / diffusion.sqrt() / duration.sqrt();
    representable(r * r, exact_zero, parameters, "the geodesic work")
}

/// The parameters of the stiffness work functions, in argument order.
const WORK_PARAMETERS: &[&str] = &[
    "initial-stiffness",
    "final-stiffness",
    "duration",
    "diffusion",
];

/// $(k_i, k_f, T, D)$ of a stiffness work function, each checked finite and $> 0$ in argument
/// order, so the first bad one is named.
fn validated_work_inputs(
    initial_stiffness: f64,
    final_stiffness: f64,
    duration: f64,
    diffusion: f64,
) -> Result<(f64, f64, f64, f64)> {
    Ok((
        error::positive("initial-stiffness", initial_stiffness)?,
        error::positive("final-stiffness", final_stiffness)?,
        error::positive("duration", duration)?,
        error::positive("diffusion", diffusion)?,
    ))
}

/// The geodesic distance between two stiffnesses in the friction metric (M14).
///
/// $$\mathcal D_\zeta(k_i, k_f) = \frac{\lvert k_i^{-1/2} - k_f^{-1/2}\rvert}{\sqrt D},$$
/// where $k_i$, $k_f$ are the stiffnesses of $E_k = kx^2/2$ (per squared position unit) and $D$ is
/// the diffusion constant (units $\sqrt{k_BT\cdot\text{time}}$). Spec: M14.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `initial-stiffness`, `final-stiffness` or `diffusion` unless
/// finite and $> 0$; [`Error::OutOfRange`] if the result overflows or a
/// non-zero result underflows below the normal range (`representable`).
///
/// # Examples
/// ```
/// use thermocheck_metric::geodesic::stiffness_geodesic_distance;
/// assert_eq!(stiffness_geodesic_distance(1.0, 4.0, 1.0)?, 0.5);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn stiffness_geodesic_distance(
    initial_stiffness: f64,
    final_stiffness: f64,
    diffusion: f64,
) -> Result<f64> {
    let k_i = error::positive("initial-stiffness", initial_stiffness)?;
    let k_f = error::positive("final-stiffness", final_stiffness)?;
    let d = error::positive("diffusion", diffusion)?;
    let distance = inverse_root_gap(k_i, k_f).abs() / d.sqrt();
    representable(
        distance,
        k_i == k_f,
        &["initial-stiffness", "final-stiffness", "diffusion"],
        "the distance",
    )
}

/// The linear-response excess work on the constant-speed stiffness geodesic (M14).
///
/// $$W^{LR}_{ex} = \frac{\big(k_i^{-1/2} - k_f^{-1/2}\big)^2}{DT} = \frac{\mathcal D_\zeta^2}{T},$$
/// where $k_i$, $k_f$ are the stiffnesses, $D$ the diffusion constant and $T$ the duration (units of
/// $k_BT$): the smallest linear-response excess work of any protocol from $k_i$ to $k_f$ in time $T$.
/// Spec: M14; `thermocheck eval stiffness-geodesic-work`.
///
/// # Errors
/// As [`stiffness_geodesic_distance`], and `duration` unless finite and $> 0$.
///
/// # Examples
/// ```
/// use thermocheck_metric::geodesic::stiffness_geodesic_work;
/// // M17: k 1 → 4, D = 1, T = 10.
/// assert!((stiffness_geodesic_work(1.0, 4.0, 10.0, 1.0)? - 0.025).abs() < 1e-17);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn stiffness_geodesic_work(
    initial_stiffness: f64,
    final_stiffness: f64,
    duration: f64,
    diffusion: f64,
) -> Result<f64> {
    let (k_i, k_f, t, d) =
        validated_work_inputs(initial_stiffness, final_stiffness, duration, diffusion)?;
    squared_over(
        inverse_root_gap(k_i, k_f),
        k_i == k_f,
        d,
        t,
        WORK_PARAMETERS,
    )
}

/// The linear-response excess work of the protocol linear in $k$ (M14).
///
/// $$W^{LR}_{ex} = \frac{(k_f - k_i)\,(k_i^{-2} - k_f^{-2})}{8DT}
///   = \frac{(k_f - k_i)\,(k_i^{-1} - k_f^{-1})\,(k_i^{-1} + k_f^{-1})}{8DT},$$
/// where $k_i$, $k_f$ are the stiffnesses, $D$ the diffusion constant and $T$ the duration (units
/// of $k_BT$). Never smaller than [`stiffness_geodesic_work`]. The second form is evaluated, with
/// $k_i^{-1} - k_f^{-1} = (k_f - k_i)/k_{max}/k_{min}$, so nothing cancels. Spec: M14.
///
/// # Errors
/// As [`stiffness_geodesic_work`].
///
/// # Examples
/// ```
/// use thermocheck_metric::geodesic::stiffness_linear_work;
/// // M17: k 1 → 4, D = 1, T = 1.
/// assert_eq!(stiffness_linear_work(1.0, 4.0, 1.0, 1.0)?, 0.3515625);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn stiffness_linear_work(
    initial_stiffness: f64,
    final_stiffness: f64,
    duration: f64,
    diffusion: f64,
) -> Result<f64> {
    let (k_i, k_f, t, d) =
        validated_work_inputs(initial_stiffness, final_stiffness, duration, diffusion)?;
    let delta = k_f - k_i;
    let (big, small) = if k_i >= k_f { (k_i, k_f) } else { (k_f, k_i) };
    let inverse_gap = delta / big / small;
    let inverse_sum = 1.0 / k_i + 1.0 / k_f;
    let w = inverse_gap / d * delta / t * inverse_sum / 8.0;
    representable(w, k_i == k_f, WORK_PARAMETERS, "the linear-in-k work")
}

/// The constant-speed stiffness geodesic (M14): $k(t)^{-1/2}$ linear in $t$.
///
/// $$\sigma(t) = k_i^{-1/2} + \big(k_f^{-1/2} - k_i^{-1/2}\big)\frac tT,\qquad k(t) = \sigma(t)^{-2},\qquad
///   \dot k(t) = -\frac{2\dot\sigma}{\sigma^3},$$
/// a one-parameter [`Protocol`] in the stiffness $k$ (the coordinate of `energy::Stiffness`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StiffnessGeodesic {
    k_i: f64,
    k_f: f64,
    duration: f64,
    sigma_i: f64,
    sigma_f: f64,
    /// $\sigma_f - \sigma_i$, stable.
    sigma_step: f64,
}

impl StiffnessGeodesic {
    /// The geodesic from $k_i$ to $k_f$ in time $T$:
    /// $k(t)^{-1/2} = k_i^{-1/2} + (k_f^{-1/2} - k_i^{-1/2})\,t/T$ (M14).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `initial-stiffness`, `final-stiffness` or `duration`
    /// unless finite and $> 0$.
    ///
    /// # Examples
    /// ```
    /// use thermocheck_metric::{geodesic::StiffnessGeodesic, protocol::Protocol};
    /// let g = StiffnessGeodesic::new(1.0, 4.0, 2.0)?;
    /// assert!((g.position(1.0)?[0] - 16.0 / 9.0).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(initial_stiffness: f64, final_stiffness: f64, duration: f64) -> Result<Self> {
        let k_i = error::positive("initial-stiffness", initial_stiffness)?;
        let k_f = error::positive("final-stiffness", final_stiffness)?;
        let duration = error::positive("duration", duration)?;
        Ok(StiffnessGeodesic {
            k_i,
            k_f,
            duration,
            sigma_i: 1.0 / k_i.sqrt(),
            sigma_f: 1.0 / k_f.sqrt(),
            sigma_step: -inverse_root_gap(k_i, k_f),
        })
    }

    fn sigma(&self, t: f64) -> f64 {
        let u = t / self.duration;
        if u <= 0.5 {
            self.sigma_i + self.sigma_step * u
        } else {
            self.sigma_f - self.sigma_step * ((self.duration - t) / self.duration)
        }
    }
}

impl Protocol for StiffnessGeodesic {
    fn duration(&self) -> f64 {
        self.duration
    }
    fn dimension(&self) -> usize {
        1
    }
    fn raw_position(&self, time: f64) -> Result<DVector<f64>> {
        // The ends exactly as given; inside, σ(t)⁻².
        let k = if time == 0.0 {
            self.k_i
        } else if time == self.duration {
            self.k_f
        } else {
            self.sigma(time).powi(-2)
        };
        Ok(DVector::from_element(1, k))
    }
    fn raw_velocity(&self, time: f64) -> Result<DVector<f64>> {
        let sigma = self.sigma(time);
        let sigma_dot = self.sigma_step / self.duration;
        Ok(DVector::from_element(
            1,
            -2.0 * sigma_dot / sigma / sigma / sigma,
        ))
    }
}

/// Validates a two-parameter point $(\mu, k)$ named `name`.
fn mean_stiffness_point(name: &str, theta: &[f64]) -> Result<(f64, f64)> {
    error::length(name, theta.len(), 2)?;
    let mu = error::finite(&format!("{name}.mean"), theta[0])?;
    let k = error::positive(&format!("{name}.stiffness"), theta[1])?;
    Ok((mu, k))
}

/// $\Delta\mu$ and $\Delta\sigma = k_1^{-1/2} - k_0^{-1/2}$ between validated points.
fn moves(start: (f64, f64), end: (f64, f64)) -> Result<(f64, f64)> {
    let dmu = end.0 - start.0;
    if !dmu.is_finite() {
        return Err(Error::out_of_range(
            &["start.mean", "end.mean"],
            "their difference overflows",
        ));
    }
    Ok((dmu, -inverse_root_gap(start.1, end.1)))
}

/// The geodesic distance of the two-parameter Gaussian $E = k(x-\mu)^2/2$ (M12, M15).
///
/// $$\mathcal D_\zeta = \frac{W_2}{\sqrt D} = \frac{\sqrt{(\mu_1-\mu_0)^2 + (\sigma_1-\sigma_0)^2}}{\sqrt D},
///   \qquad \sigma = k^{-1/2},$$
/// where $\theta_0 = (\mu_0, k_0)$ = `start`, $\theta_1 = (\mu_1, k_1)$ = `end` and $D$ the
/// diffusion constant. Spec: M15 (and M8: $D\zeta$ is the Wasserstein-2 metric tensor).
///
/// # Errors
/// [`Error::DimensionMismatch`] unless each point has 2 entries; [`Error::InvalidParameter`] naming
/// `start.mean`, `start.stiffness`, `end.…` or `diffusion`; [`Error::OutOfRange`] on overflow or underflow
/// below the normal range.
///
/// # Examples
/// ```
/// use thermocheck_metric::geodesic::mean_stiffness_geodesic_distance;
/// // (μ, σ): (0, 1) → (2, 0.5): W₂² = 4.25.
/// let d = mean_stiffness_geodesic_distance(&[0.0, 1.0], &[2.0, 4.0], 1.0)?;
/// assert!((d * d - 4.25).abs() < 1e-15);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn mean_stiffness_geodesic_distance(start: &[f64], end: &[f64], diffusion: f64) -> Result<f64> {
    let a = mean_stiffness_point("start", start)?;
    let b = mean_stiffness_point("end", end)?;
    let d = error::positive("diffusion", diffusion)?;
    let (dmu, dsigma) = moves(a, b)?;
    let distance = dmu.hypot(dsigma) / d.sqrt();
    if distance.is_finite() {
        Ok(distance)
    } else {
        Err(Error::out_of_range(
            &["start", "end", "diffusion"],
            format!("the distance {} is not finite", fmt_number(distance)),
        ))
    }
}

/// The linear-response excess work on the constant-speed two-parameter geodesic (M15).
///
/// $$W^{LR}_{ex} = \frac{(\mu_1-\mu_0)^2 + (\sigma_1-\sigma_0)^2}{DT} = \frac{W_2^2}{DT},$$
/// with the symbols of [`mean_stiffness_geodesic_distance`] and $T$ the duration (units of
/// $k_BT$). Spec: M15.
///
/// # Errors
/// As [`mean_stiffness_geodesic_distance`], and `duration` unless finite and $> 0$.
///
/// # Examples
/// ```
/// use thermocheck_metric::geodesic::mean_stiffness_geodesic_work;
/// // M17: (μ, σ) (0, 1) → (2, 0.5), D = 1, T = 10: 0.425.
/// let w = mean_stiffness_geodesic_work(&[0.0, 1.0], &[2.0, 4.0], 10.0, 1.0)?;
/// assert!((w - 0.425).abs() < 1e-15);
/// # Ok::<(), thermocheck_numerics::Error>(())
/// ```
pub fn mean_stiffness_geodesic_work(
    start: &[f64],
    end: &[f64],
    duration: f64,
    diffusion: f64,
) -> Result<f64> {
    let a = mean_stiffness_point("start", start)?;
    let b = mean_stiffness_point("end", end)?;
    let t = error::positive("duration", duration)?;
    let d = error::positive("diffusion", diffusion)?;
    let (dmu, dsigma) = moves(a, b)?;
    squared_over(
        dmu.hypot(dsigma),
        a == b,
        d,
        t,
        &["start", "end", "duration", "diffusion"],
    )
}

/// The constant-speed two-parameter geodesic (M15): a straight line in $(\mu, \sigma)$, given in
/// the family's coordinates $\theta = (\mu, k)$, $k = \sigma^{-2}$.
///
/// $$\mu(t) = \mu_0 + (\mu_1 - \mu_0)\frac tT,\quad \sigma(t) = \sigma_0 + (\sigma_1-\sigma_0)\frac tT,
///   \quad \dot\theta = \Big(\dot\mu,\ -\frac{2\dot\sigma}{\sigma^3}\Big).$$
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanStiffnessGeodesic {
    start: (f64, f64),
    end: (f64, f64),
    duration: f64,
    sigma_start: f64,
    sigma_end: f64,
    mean_step: f64,
    sigma_step: f64,
}

impl MeanStiffnessGeodesic {
    /// The geodesic from `start` $=(\mu_0, k_0)$ to `end` $=(\mu_1, k_1)$ in time $T$: the
    /// constant-speed straight line in $(\mu, \sigma = k^{-1/2})$ (M15).
    ///
    /// # Errors
    /// As [`mean_stiffness_geodesic_work`] (without `diffusion`).
    ///
    /// # Examples
    /// ```
    /// use thermocheck_metric::{geodesic::MeanStiffnessGeodesic, protocol::Protocol};
    /// let g = MeanStiffnessGeodesic::new(&[0.0, 1.0], &[2.0, 4.0], 1.0)?;
    /// let mid = g.position(0.5)?; // (μ, σ) = (1, 0.75)
    /// assert!((mid[0] - 1.0).abs() < 1e-15 && (mid[1] - 16.0 / 9.0).abs() < 1e-15);
    /// # Ok::<(), thermocheck_numerics::Error>(())
    /// ```
    pub fn new(start: &[f64], end: &[f64], duration: f64) -> Result<Self> {
        let a = mean_stiffness_point("start", start)?;
        let b = mean_stiffness_point("end", end)?;
        let duration = error::positive("duration", duration)?;
        let (mean_step, sigma_step) = moves(a, b)?;
        Ok(MeanStiffnessGeodesic {
            start: a,
            end: b,
            duration,
            sigma_start: 1.0 / a.1.sqrt(),
            sigma_end: 1.0 / b.1.sqrt(),
            mean_step,
            sigma_step,
        })
    }

    /// $(\mu(t), \sigma(t))$, each from the nearer end.
    fn moment_coordinates(&self, t: f64) -> (f64, f64) {
        let u = t / self.duration;
        if u <= 0.5 {
            (
                self.start.0 + self.mean_step * u,
                self.sigma_start + self.sigma_step * u,
            )
        } else {
            let rest = (self.duration - t) / self.duration;
            (
                self.end.0 - self.mean_step * rest,
                self.sigma_end - self.sigma_step * rest,
            )
        }
    }
}

impl Protocol for MeanStiffnessGeodesic {
    fn duration(&self) -> f64 {
        self.duration
    }
    fn dimension(&self) -> usize {
        2
    }
    fn raw_position(&self, time: f64) -> Result<DVector<f64>> {
        let (mu, sigma) = self.moment_coordinates(time);
        let k = if time == 0.0 {
            self.start.1
        } else if time == self.duration {
            self.end.1
        } else {
            sigma.powi(-2)
        };
        Ok(DVector::from_vec(vec![mu, k]))
    }
    fn raw_velocity(&self, time: f64) -> Result<DVector<f64>> {
        let (_, sigma) = self.moment_coordinates(time);
        let sigma_dot = self.sigma_step / self.duration;
        Ok(DVector::from_vec(vec![
            self.mean_step / self.duration,
            -2.0 * sigma_dot / sigma / sigma / sigma,
        ]))
    }
}

// The references are mpmath values printed to 17 significant digits, as computed.
#[allow(clippy::excessive_precision)]
#[cfg(test)]
mod tests {
    use super::*;

    /// References from mpmath at 30 digits (`mp.dps = 30`), the spec formulas evaluated directly:
    /// `(ki**-0.5 - kf**-0.5)**2/(D*T)` and `(kf-ki)*(ki**-2-kf**-2)/(8*D*T)`.
    /// Relative tolerance 8ε: each closed form is a handful of correctly rounded operations.
    #[test]
    fn extreme_parameters_match_mpmath() {
        let cases: &[(f64, f64, f64, f64, f64, f64)] = &[
            // (k_i, k_f, T, D, geodesic W, linear W)
            MPMATH_CASES[0],
            MPMATH_CASES[1],
            MPMATH_CASES[2],
            MPMATH_CASES[3],
            MPMATH_CASES[4],
        ];
        for &(ki, kf, t, d, geo, lin) in cases {
            let g = stiffness_geodesic_work(ki, kf, t, d).unwrap();
            let l = stiffness_linear_work(ki, kf, t, d).unwrap();
            assert!(
                ((g - geo) / geo).abs() < 8.0 * f64::EPSILON,
                "geodesic {ki} {kf} {t} {d}: {g:e} vs {geo:e}"
            );
            assert!(
                ((l - lin) / lin).abs() < 8.0 * f64::EPSILON,
                "linear {ki} {kf} {t} {d}: {l:e} vs {lin:e}"
            );
            // Equal to leading order when k_f ≈ k_i: allow the two roundings.
            assert!(l >= g * (1.0 - 16.0 * f64::EPSILON), "{l:e} < {g:e}");
        }
    }

    const MPMATH_CASES: [(f64, f64, f64, f64, f64, f64); 5] = [
        (1.0, 4.0, 10.0, 1.0, 2.5e-2, 3.515625e-2),
        (
            1.0,
            1.000000000001,
            1.0,
            1.0,
            2.5004445226662379e-25,
            2.5004445226662379e-25,
        ),
        (
            1e-100,
            1e100,
            1e50,
            1e-30,
            9.9999999999999982e79,
            1.2499999999999998e279,
        ),
        (
            1e90,
            1e-90,
            3.0,
            7.0,
            4.7619047619047619e88,
            5.9523809523809522e267,
        ),
        (
            2.0,
            2.0000000001,
            1e-80,
            1e80,
            3.1250005168929652e-22,
            3.1250005168929652e-22,
        ),
    ];

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(stiffness_geodesic_work(0.0, 1.0, 1.0, 1.0).is_err());
        assert!(stiffness_geodesic_distance(1.0, f64::NAN, 1.0).is_err());
        let e = mean_stiffness_geodesic_work(&[0.0], &[1.0, 1.0], 1.0, 1.0).unwrap_err();
        assert!(matches!(e, Error::DimensionMismatch { .. }), "{e}");
        assert!(MeanStiffnessGeodesic::new(&[0.0, -1.0], &[1.0, 1.0], 1.0).is_err());
        // mpmath: (k_f − k_i)(k_i⁻² − k_f⁻²)/(8DT) = 3.0e397 at (0.3, 1e-200, 5, 2.5): overflow.
        let e = stiffness_linear_work(0.3, 1e-200, 5.0, 2.5).unwrap_err();
        assert!(matches!(e, Error::OutOfRange { .. }), "{e}");
        // ... while the geodesic work there, 8.0e198, is representable.
        let g = stiffness_geodesic_work(0.3, 1e-200, 5.0, 2.5).unwrap();
        assert!(
            (g / 8.0000000000000001e198 - 1.0).abs() < 8.0 * f64::EPSILON,
            "{g:e}"
        );
    }
}
