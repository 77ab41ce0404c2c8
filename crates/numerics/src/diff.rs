//! Finite differences: the one home of Richardson-extrapolated central differences.
//!
//! A symmetric difference quotient $D(h)$ of a smooth function (the central first difference
//! $\frac{f(t+h) - f(t-h)}{2h}$, the three-point second difference, the four-point mixed
//! difference) has an error expansion in even powers, $D(h) = f^{(k)} + c_2h^2 + c_4h^4 + \dots$.
//! One Richardson step removes the $h^2$ term:
//! $$R(h) = \frac{4D(h/2) - D(h)}{3} = f^{(k)} + O(h^4).$$
//! [`Richardson::from_differences`] takes $D(h), D(h/2), D(h/4)$ and forms the two levels
//! $R(h)$ (coarse) and $R(h/2)$ (fine); the fine one is the value. Its **truncation estimate** is
//! $\max\big(|R(h/2) - R(h)|,\ |R(h/2) - D(h/4)|\big)$: the first is the h-vs-h/2 change, a
//! bound on the error of the coarser level $R(h)$ (so, by the convention of
//! [`crate::tolerance::ESTIMATE_FACTOR`], far above the fine level's error) which also sees
//! round-off that grows as $h$ shrinks; the second, the truncation of the unextrapolated
//! difference, guards against the two levels agreeing by coincidence.
//!
//! Round-off is not visible to the extrapolation when it is smaller than the change, so the
//! caller adds a bound for it: [`Richardson::with_round_off`] takes the absolute error
//! $\epsilon_D$ of the finest difference $D(h/4)$ and adds $\tfrac53\epsilon_D$ (the round-off
//! of $D(h/2)$ is at most that of $D(h/4)$, and $R(h/2) = \tfrac43D(h/4) - \tfrac13D(h/2)$).
//! [`central_derivative`] does this for a function evaluated to a few ulp.

/// Two Richardson levels of a symmetric $O(h^2)$ difference quotient (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Richardson {
    /// $R(h/2) = (4D(h/4) - D(h/2))/3$: the value.
    pub fine: f64,
    /// $R(h) = (4D(h/2) - D(h))/3$.
    pub coarse: f64,
    /// $D(h/4)$, the finest unextrapolated difference.
    pub finest_difference: f64,
    /// Round-off bound added to the estimate (0 unless set by [`Richardson::with_round_off`]).
    pub round_off: f64,
}

impl Richardson {
    /// The two levels from $[D(h), D(h/2), D(h/4)]$.
    pub fn from_differences(d: [f64; 3]) -> Self {
        Richardson {
            fine: (4.0 * d[2] - d[1]) / 3.0,
            coarse: (4.0 * d[1] - d[0]) / 3.0,
            finest_difference: d[2],
            round_off: 0.0,
        }
    }

    /// The same levels with round-off: `finest_round_off` is a bound on the absolute rounding
    /// error of $D(h/4)$; $\tfrac53$ of it is added to [`Richardson::error`].
    pub fn with_round_off(mut self, finest_round_off: f64) -> Self {
        self.round_off = 5.0 / 3.0 * finest_round_off;
        self
    }

    /// The value, $R(h/2)$.
    pub fn value(&self) -> f64 {
        self.fine
    }

    /// $\max(|R(h/2) - R(h)|, |R(h/2) - D(h/4)|)$ plus the round-off bound (module docs).
    pub fn error(&self) -> f64 {
        (self.fine - self.coarse)
            .abs()
            .max((self.fine - self.finest_difference).abs())
            + self.round_off
    }
}

/// Richardson extrapolation of the difference quotient `difference(h)` at $h$, $h/2$, $h/4$
/// (module docs); a failing evaluation is returned as is.
///
/// # Errors
/// The first error of `difference`.
pub fn richardson<E>(
    mut difference: impl FnMut(f64) -> Result<f64, E>,
    h: f64,
) -> Result<Richardson, E> {
    Ok(Richardson::from_differences([
        difference(h)?,
        difference(0.5 * h)?,
        difference(0.25 * h)?,
    ]))
}

/// $f'(t)$ by Richardson-extrapolated central differences $D(h) = (f(t+h) - f(t-h))/(2h)$ at
/// $h, h/2, h/4$, with the round-off of an $f$ computed to a few ulp: $D(h/4)$ is off by at most
/// $2\cdot 4\varepsilon F/(2\cdot h/4) = 16\varepsilon F/h$, $F$ the largest $|f|$ sampled
/// (4 ulp per value allows for a few rounded operations in $f$; a larger cancellation shows in
/// the h-vs-h/2 change). Returns `(value, error estimate)`.
pub fn central_derivative(f: impl Fn(f64) -> f64, t: f64, h: f64) -> (f64, f64) {
    let mut size = f(t).abs();
    let mut d = |h: f64| -> Result<f64, std::convert::Infallible> {
        let (up, down) = (f(t + h), f(t - h));
        size = size.max(up.abs()).max(down.abs());
        Ok((up - down) / (2.0 * h))
    };
    let Ok(r) = richardson(&mut d, h);
    let r = r.with_round_off(16.0 * f64::EPSILON * size / h);
    (r.value(), r.error())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known derivatives: the error is within the estimate, and the estimate is small (a few
    /// orders above the O(h⁴) truncation of the fine level, so the check could fail).
    #[test]
    fn central_derivative_of_known_functions() {
        type Real = dyn Fn(f64) -> f64;
        let cases: [(&Real, &Real, f64); 4] = [
            (&f64::exp, &f64::exp, 0.7),
            (&f64::sin, &f64::cos, -1.3),
            (
                &|x: f64| x.powi(5) - 3.0 * x,
                &|x: f64| 5.0 * x.powi(4) - 3.0,
                1.1,
            ),
            (
                &|x: f64| (1.0 + x * x).ln(),
                &|x: f64| 2.0 * x / (1.0 + x * x),
                0.0,
            ),
        ];
        for (f, df, t) in cases {
            let (v, e) = central_derivative(f, t, 1e-3);
            let exact = df(t);
            assert!((v - exact).abs() <= e, "{t}: {v} vs {exact} ± {e}");
            // The estimate is dominated by the O((h/4)²) truncation of D(h/4): ≤ 1e-5 here.
            assert!(e < 1e-5 * (1.0 + exact.abs()), "{t}: estimate {e}");
            // The fine level itself is O(h⁴) (plus round-off ~ 16εF/h ≈ 1e-11).
            assert!((v - exact).abs() < 1e-9 * (1.0 + exact.abs()), "{t}: {v}");
        }
    }

    /// A cubic's central difference is $3t^2 + h^2$ exactly, so one Richardson step is exact
    /// to rounding, while the estimate keeps the unextrapolated truncation $(h/4)^2$.
    #[test]
    fn extrapolation_removes_the_h_squared_term() {
        let f = |x: f64| x * x * x;
        let (v, e) = central_derivative(f, 2.0, 0.1);
        assert!((v - 12.0).abs() <= 1e-12, "{v}");
        assert!((e / 0.025_f64.powi(2) - 1.0).abs() < 1e-6, "{e}");
    }

    /// The second difference of a fallible function, with errors propagated.
    #[test]
    fn second_differences_and_errors() {
        let f = |x: f64| (2.0 * x).cos();
        let t = 0.4;
        let r = richardson(
            |h: f64| -> Result<f64, ()> { Ok((f(t + h) - 2.0 * f(t) + f(t - h)) / (h * h)) },
            0.05,
        )
        .unwrap()
        .with_round_off(4.0 * f64::EPSILON / (0.0125 * 0.0125));
        let exact = -4.0 * (2.0 * t).cos();
        assert!((r.value() - exact).abs() <= r.error(), "{r:?}");
        // Estimate ≈ (h/4)²·f⁗/12 ≈ 2e-4; the fine level's own error is O(h⁴) + round-off.
        assert!(r.error() < 1e-3);
        assert!((r.value() - exact).abs() < 1e-7, "{r:?}");
        let e = richardson(|_h: f64| -> Result<f64, &str> { Err("bad") }, 0.1);
        assert_eq!(e, Err("bad"));
    }
}
