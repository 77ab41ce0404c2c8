//! Accuracy of the per-sample energy and temperature (`sample-energy`, `sample-temperature`)
//! against independent high-precision values, and property tests of the identities.
//!
//! Reference values: mpmath at 30 digits (`mp.dps = 30`), inputs converted exactly from their
//! binary `f64` values, by methods that share no formula with the library:
//!
//! - MAE normal: `s*(2*npdf(u) + u*(2*ncdf(u) - 1))` with `u = y/s` (the spec's $g$, in
//!   30-digit arithmetic, where its cancellation is harmless), $t = 2s\,$`npdf(u)`$/n$;
//! - MAE uniform: the vertex sums $K\sum_\varepsilon(\prod\varepsilon)|d|d^n/(n+1)!$ and
//!   $2K\sum(\prod\varepsilon)[d_+^{n+1}/(n+1)! + |y|d_+^n/n!]/n$ in 30-digit arithmetic —
//!   the library's own formula, so the rows with $n\ge3$ were also reproduced, to every printed
//!   digit, by the exact density convolution of [`UNIFORM_EDGE`]'s script (`ref(scale, x, y)`),
//!   which shares nothing with it;
//! - CE normal: `mp.quad` of the $v = s|u|$ forms of $F$ and $G$ with break points
//!   `[0, s/4, s, 1, 10, 50, 200, inf]`;
//! - CE uniform: `mp.quad` over the cube $[-1,1]^n$ (split at 0) of
//!   $\operatorname{softplus}(\sum c_iu_i)$ and $S\tanh(S/2)$, divided by $2^n$ (and $2n$).
//!
//! The script (`ext.py` of the issue #5 report; each row's command is the function named in its
//! first two columns, run with `pts` set to that row):
//!
//! ```python
//! from mpmath import mp, mpf, quad, inf, log1p, exp, sqrt, pi, npdf, ncdf, tanh, fabs, factorial
//! import itertools, math, time
//! mp.dps=30
//! def nrm(x): return sqrt(sum(mpf(v)**2 for v in x))
//! def mae_normal(scale,x,y):
//!     s=mpf(scale)*nrm(x); y=mpf(y); u=y/s
//!     g=2*npdf(u)+u*(2*ncdf(u)-1)
//!     return s*g, 2*s*npdf(u)/len(x)
//! def mae_uniform(a,x,y):
//!     c=[mpf(a)*abs(mpf(v)) for v in x if v!=0]; n=len(c); Y=abs(mpf(y))
//!     K=1/(2**n*math.prod(c))
//!     e=0; m=0
//!     for eps in itertools.product([1,-1],repeat=n):
//!         b=sum(mpf(s)*ci for s,ci in zip(eps,c)); sg=math.prod(eps)
//!         d=b-Y
//!         e+=sg*fabs(d)*d**n/factorial(n+1)
//!         if d>0: m+=sg*(d**(n+1)/factorial(n+1)+Y*d**n/factorial(n))
//!     return K*e, 2*K*m/len(x)
//! def sp(z): return log1p(exp(-fabs(z)))+max(z,0)
//! def ce_normal(scale,x):
//!     s=mpf(scale)*nrm(x)
//!     F=s/sqrt(2*pi)+(2/s)*quad(lambda v: log1p(exp(-v))*npdf(v/s),[0,s/4,s,1,10,50,200,inf])
//!     sigp=lambda z: exp(-fabs(z))/(1+exp(-fabs(z)))**2
//!     G=(2/s)*quad(lambda v: sigp(v)*npdf(v/s),[0,s/4,s,1,10,50,200,inf])
//!     return F, s*s*G/len(x)
//! def ce_uniform(a,x):
//!     c=[mpf(a)*abs(mpf(v)) for v in x if v!=0]; n=len(c)
//!     f=lambda *u: sp(sum(ci*ui for ci,ui in zip(c,u)))
//!     g=lambda *u: (lambda S: S*tanh(S/2))(sum(ci*ui for ci,ui in zip(c,u)))
//!     dom=[[-1,0,1]]*n
//!     e=quad(f,*dom)/2**n; t=quad(g,*dom)/2**n/(2*len(x))
//!     return e,t
//! pts=[("ce","uniform",0.7,[1,2,0.5],-1)]
//! for p in pts:
//!     t0=time.time()
//!     loss,init,a,x,y=p
//!     if loss=='mae': r = mae_normal(a,x,y) if init=='normal' else mae_uniform(a,x,y)
//!     else: r = ce_normal(a,x) if init=='normal' else ce_uniform(a,x)
//!     print(f"({p[0]!r},{p[1]!r},{a!r},{x},{y!r}, {mp.nstr(r[0],20)}, {mp.nstr(r[1],20)}), # {time.time()-t0:.1f}s")
//! ```
// The mpmath digits are kept as printed (20 significant), beyond f64, on purpose.
#![allow(clippy::excessive_precision)]

use proptest::prelude::*;
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use thermocheck_numerics::Tolerance;
use thermocheck_numerics::quad::{QuadOptions, gaussian_expectation, integrate};
use thermocheck_numerics::sde::Xoshiro256PlusPlus;
use thermocheck_numerics::stats::Welford;
use thermocheck_numerics::tolerance::{DEFAULT_K, ESTIMATE_FACTOR};
use thermocheck_temperature::init::{Init, InitKind};
use thermocheck_temperature::linear::{self, sample_thermo};
use thermocheck_temperature::loss::Loss;

/// (loss, init, scale, features, target, e, t) — mpmath, 20 significant digits.
#[allow(clippy::type_complexity)]
const MPMATH: &[(&str, &str, f64, &[f64], f64, f64, f64)] = &[
    (
        "mae",
        "normal",
        1e-8,
        &[3.0, 4.0],
        2e-8,
        4.304_388_369_474_529_834_4e-8,
        1.841_350_701_516_616_577_2e-8,
    ),
    (
        "mae",
        "normal",
        1e6,
        &[1.0, 2.0, 2.0],
        0.7,
        2_393_653.682_408_661_228_2,
        797_884.560_802_843_635_69,
    ),
    (
        "mae",
        "normal",
        0.1,
        &[1.0],
        3.5,
        3.5,
        7.880_792_554_272_585_001_9e-268,
    ),
    (
        "mae",
        "normal",
        1.0,
        &[0.5, -0.25],
        -0.3,
        0.508_761_292_199_935_666_98,
        0.193_106_401_649_205_314_89,
    ),
    (
        "mae",
        "uniform",
        2.0,
        &[0.3],
        0.1,
        0.308_333_333_333_333_323_46,
        0.291_666_666_666_666_654_33,
    ),
    (
        "mae",
        "uniform",
        1e-6,
        &[1.0, 1e-7],
        3e-7,
        5.450_000_000_000_016_42e-7,
        2.275_000_000_000_008_230_4e-7,
    ),
    (
        "mae",
        "uniform",
        1e5,
        &[0.7, -1.3],
        5e4,
        80_897.435_897_435_898_316,
        30_833.333_333_333_334_102,
    ),
    (
        "mae",
        "uniform",
        1.0,
        &[1.0, 0.5, 0.25],
        0.9,
        0.942_250_000_000_000_017_98,
        0.071_208_333_333_333_329_337,
    ),
    (
        "mae",
        "uniform",
        1.0,
        &[1.0, 1e-6, 0.3],
        0.2,
        0.535_000_000_000_166_667_78,
        0.165_000_000_000_055_554_45,
    ),
    (
        "mae",
        "uniform",
        0.5,
        &[1.0, -2.0, 0.5, 1.5, 0.7],
        0.4,
        0.736_680_958_333_333_339_07,
        0.118_821_519_444_444_442_44,
    ),
    (
        "ce",
        "normal",
        1e-6,
        &[1.0],
        1.0,
        0.693_147_180_560_070_309_42,
        2.499_999_999_999_374_773_7e-13,
    ),
    (
        "ce",
        "normal",
        1e5,
        &[3.0, 4.0],
        -1.0,
        199_471.140_202_028_806_47,
        99_735.570_099_701_935_737,
    ),
    (
        "ce",
        "uniform",
        1e-4,
        &[1.0],
        1.0,
        0.693_147_180_976_611_975_98,
        8.333_333_329_166_667_468_3e-10,
    ),
    (
        "ce",
        "uniform",
        1e4,
        &[1.0],
        1.0,
        2_500.000_082_246_703_342_4,
        2_499.999_917_753_296_657_6,
    ),
    (
        "ce",
        "uniform",
        3.0,
        &[1.0, 0.5],
        1.0,
        1.063_745_700_830_695_245_3,
        0.306_961_062_507_731_586_48,
    ),
];

/// Edge and very-unequal-feature regressions of the uniform init (review of issue #5: NaN,
/// `NotConverged` or a misleading refusal before). Scale 1; (loss, features, target, e, t).
///
/// References: MAE rows with `~` are the one-term law $e = (y^2 + c_1^2)/(2c_1)$,
/// $t = 2(c_1^2 - y^2)/(4c_1 n)$ (exact up to a relative $O(c_2^2/c_1^2)\le10^{-32}$ — far
/// below an ulp); CE `[1, 1, 1e-17]` is the triangle law of $U_1 + U_2$ ($c_3\to0$, same
/// order), by `mp.quad(lambda u: f(u)*(2-abs(u))/4, [-2, 0, 2])` at 30 digits with
/// $f = $ softplus and $u\tanh(u/2)/6$; the other MAE rows are integrals against the exact
/// density of $S$, built by successive convolution of piecewise polynomials in exact rational
/// arithmetic (a method sharing nothing with the library's vertex sums; `ref(1.0, x, y)`, printed
/// with `mpmath.nstr(.., 20)`):
///
/// ```python
/// # Independent reference for E|S - y| and t = 2 E[S; S > |y|]/n, S = sum_i c_i U_i, U_i ~ U(-1, 1):
/// # the density of S built exactly (rational arithmetic) by successive convolution of piecewise
/// # polynomials, p_k(s) = (F_{k-1}(s + c_k) - F_{k-1}(s - c_k)) / (2 c_k), then integrated exactly
/// # against |s - y| and s 1{s > |y|} piece by piece. No vertex sum, no cancellation-prone formula.
/// from fractions import Fraction as Q
/// from math import comb
/// import sys
/// def padd(a,b):
///     n=max(len(a),len(b)); return [(a[i] if i<len(a) else 0)+(b[i] if i<len(b) else 0) for i in range(n)]
/// def pscale(a,k): return [x*k for x in a]
/// def pshift(a,h):  # p(s+h)
///     out=[Q(0)]*len(a)
///     for i,ai in enumerate(a):
///         for j in range(i+1): out[j]+=ai*comb(i,j)*h**(i-j)
///     return out
/// def pint(a): return [Q(0)]+[ai/(i+1) for i,ai in enumerate(a)]
/// def peval(a,x): return sum(ai*x**i for i,ai in enumerate(a))
/// def mul_s(a): return [Q(0)]+a
/// def density(c):
///     # pieces: list of (lo, hi, poly); start with box of c[0]
///     pieces=[(-c[0],c[0],[1/(2*c[0])])]
///     for ck in c[1:]:
///         # antiderivative F piecewise: F(s)=C_j + int_{lo_j}^s p_j
///         F=[]; C=Q(0)
///         for lo,hi,p in pieces:
///             P=pint(p); off=C-peval(P,lo); F.append((lo,hi,padd(P,[off]))); C=off+peval(P,hi)
///         total=C
///         def Fpoly(x_lo,x_hi):  # polynomial of F valid on [x_lo,x_hi]
///             if x_hi<=F[0][0]: return [Q(0)]
///             if x_lo>=F[-1][1]: return [total]
///             for lo,hi,P in F:
///                 if lo<=x_lo and x_hi<=hi: return P
///             raise Exception('no piece')
///         bps=sorted(set([b+ck for lo,hi,_ in pieces for b in (lo,hi)]+[b-ck for lo,hi,_ in pieces for b in (lo,hi)]))
///         new=[]
///         for u,v in zip(bps,bps[1:]):
///             A=pshift(Fpoly(u+ck,v+ck),ck); B=pshift(Fpoly(u-ck,v-ck),-ck)
///             new.append((u,v,pscale(padd(A,pscale(B,-1)),1/(2*ck))))
///         pieces=new
///     return pieces
/// def integ(p,a,b):
///     P=pint(p); return peval(P,b)-peval(P,a)
/// def moments(c,y):
///     y=abs(y); pieces=density(c); e=Q(0); m=Q(0)
///     for lo,hi,p in pieces:
///         # |s-y| = (y-s) below y, (s-y) above
///         for a,b,sg in ((lo,min(hi,y),-1),(max(lo,y),hi,1)):
///             if b>a:
///                 e+=sg*(integ(mul_s(p),a,b)-y*integ(p,a,b))
///                 if sg==1: m+=integ(mul_s(p),a,b)
///     return e,m
/// def ref(scale,x,y):
///     c=sorted([Q(scale)*abs(Q(v)) for v in x if v!=0],reverse=True)
///     e,m=moments(c,Q(y)); return e,2*m/len(x)
/// ```
#[allow(clippy::type_complexity)]
const UNIFORM_EDGE: &[(&str, &[f64], f64, f64, f64)] = &[
    ("mae", &[1.0, 1e-17], 0.5, 0.625, 0.1875),        // ~
    ("mae", &[1.0, 1e-300], 0.5, 0.625, 0.1875),       // ~
    ("mae", &[1e200, 1e-200], 0.5, 5e199, 2.5e199),    // ~ (1e-200 dropped: weight 1e-400)
    ("mae", &[1.0, 1.0, 1e-16], 0.5, 0.78125, 0.1875), // two-term law of U1 + U2 at 0.5
    (
        "mae",
        &[1.0, 1.0, 1.0],
        2.99999,
        2.999_989_999_999_999_9,
        4.166_656_250_081_889_8e-17,
    ),
    (
        "mae",
        &[1.0, 1e-8, 1e-8],
        0.999999,
        0.999_999_000_000_5,
        3.333_331_666_873_629_9e-7,
    ),
    (
        "mae",
        &[1.0, 1.0, 1.0, 1.0],
        3.9999,
        3.999_899_999_999_999_8,
        5.208_229_166_710_630_4e-19,
    ),
    (
        "mae",
        &[1.0, 1e-3, 1e-6],
        0.3,
        0.545_000_166_666_833_33,
        0.151_666_722_222_277_78,
    ),
    (
        "mae",
        &[0.001, 2.5, 7.0, 1.0],
        3.0,
        4.315_476_214_285_714_3,
        0.757_440_482_142_857_14,
    ),
    (
        "mae",
        &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        20.9999999,
        20.999_999_899_999_999,
        2.109_857_392_410_745_6e-49,
    ),
    (
        "mae",
        &[1.0, 1.0, 1.0],
        2.9999999999,
        2.9999999999,
        4.166_667_700_817_223e-32,
    ),
    (
        "ce",
        &[1.0, 1.0, 1e-17],
        1.0,
        0.771_595_392_765_423_847_09,
        0.049_421_254_392_947_250_932,
    ),
];

#[test]
fn uniform_edge_and_unequal_features_match_references() {
    // The library's promise for these (n ≤ 3: exact forms to 1e-13; n ≥ 4: the vertex bound,
    // 1e-10, which at these points is a few ulps since the double-double sums do not cancel).
    for &(loss, x, y, e, t) in UNIFORM_EDGE {
        let th = thermo(loss, "uniform", 1.0, x, y);
        let re = (th.energy - e).abs() / e;
        let rt = (th.temperature - t).abs() / t;
        let bound = if x.len() >= 4 { 1e-10 } else { 1e-12 };
        assert!(
            re < bound && rt < bound,
            "{loss} x={x:?} y={y}: e {} (rel {re:e}), t {} (rel {rt:e})",
            th.energy,
            th.temperature
        );
    }
}

fn thermo(loss: &str, init: &str, scale: f64, x: &[f64], y: f64) -> linear::Thermo {
    let loss: Loss = loss.parse().unwrap();
    let kind: InitKind = init.parse().unwrap();
    sample_thermo(loss, Init::new(kind, scale).unwrap(), x, y).unwrap()
}

#[test]
fn sample_quantities_match_mpmath_at_extreme_points() {
    // The issue asks for 1e-8 relative; the library promises 1e-12 (the quadratures 1e-13).
    for &(loss, init, scale, x, y, e, t) in MPMATH {
        let th = thermo(loss, init, scale, x, y);
        let re = (th.energy - e).abs() / e;
        let rt = (th.temperature - t).abs() / t;
        // MAE uniform with ≥ 4 non-zero features: the vertex sum's run-time bound, 1e-10.
        let bound = if init == "uniform" && loss == "mae" && x.len() >= 4 {
            1e-10
        } else {
            1e-12
        };
        assert!(
            re < bound && rt < bound,
            "{loss}/{init} scale={scale} x={x:?} y={y}: e {} (rel {re:e}), t {} (rel {rt:e})",
            th.energy,
            th.temperature
        );
    }
}

#[test]
fn tails_underflow_to_zero_not_nan() {
    // u = 40: t ∝ φ(40) ≈ 1.5e-348 is below the smallest subnormal: exactly 0, e = |y|.
    let th = thermo("mae", "normal", 0.05, &[1.0], 2.0);
    assert_eq!((th.energy, th.temperature), (2.0, 0.0));
    // Uniform: |y| beyond the support gives e = |y|, t = 0 exactly.
    let th = thermo("mae", "uniform", 1.0, &[0.3, 0.2], -0.6);
    assert_eq!((th.energy, th.temperature), (0.6, 0.0));
    // All features zero: ŷ ≡ 0.
    let th = thermo("ce", "uniform", 1.0, &[0.0, 0.0], 1.0);
    assert_eq!((th.energy, th.temperature), (std::f64::consts::LN_2, 0.0));
    let th = thermo("mae", "normal", 1.0, &[0.0], -3.0);
    assert_eq!((th.energy, th.temperature), (3.0, 0.0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Label independence of cross entropy under symmetric init (T18), through the label-aware
    /// loss: the library's e, t (which never read the label) against quadrature of
    /// $\ell(y, \hat y) = $ `Loss::value(y, ŷ)` and of the virial $\hat y\,\partial_{\hat y}\ell(y,\hat y)/n$
    /// at $y = +1$ and at $y = -1$ separately — normal init (any $n$, $\hat y\sim\mathcal N(0,s^2)$)
    /// and uniform init with one feature ($\hat y\sim\mathcal U(-c, c)$). Tolerance: the
    /// quadrature's error estimate plus the library's documented $10^{-12}$. Scales 1e-3..1e3,
    /// 1–3 features in [−3, 3].
    #[test]
    fn cross_entropy_is_label_independent(
        scale in 1e-3f64..1e3,
        x in prop::collection::vec(-3.0f64..3.0, 1..=3),
        uniform in any::<bool>(),
    ) {
        prop_assume!(linear::norm(&x) > 1e-3);
        let x = if uniform { vec![x[0].abs().max(1e-3)] } else { x };
        let n = x.len() as f64;
        let init = if uniform { Init::uniform(scale).unwrap() } else { Init::normal(scale).unwrap() };
        let opts = QuadOptions::new(1e-13, 1e-300).unwrap();
        let expect = |f: &dyn Fn(f64) -> f64| -> (f64, f64) {
            let r = if uniform {
                let c = scale * x[0];
                integrate(|z| f(z) / (2.0 * c), -c, c, &[0.0], &opts).unwrap()
            } else {
                let s = scale * linear::norm(&x);
                gaussian_expectation(f, s * s, &[0.0], &opts).unwrap()
            };
            (r.value, r.error_estimate)
        };
        let loss = Loss::CrossEntropy;
        for y in [1.0, -1.0] {
            let th = sample_thermo(loss, init, &x, y).unwrap();
            let (e, e_est) = expect(&|z| loss.value(y, z));
            let (v, v_est) = expect(&|z| z * loss.derivative(y, z) / n);
            let tol_e = Tolerance::error_estimate(ESTIMATE_FACTOR, e_est, e)
                .plus(Tolerance::stated_relative(1e-12, e, "sample_thermo's documented accuracy"));
            let tol_t = Tolerance::error_estimate(ESTIMATE_FACTOR, v_est, v)
                .plus(Tolerance::stated_relative(1e-12, v, "sample_thermo's documented accuracy"));
            prop_assert!(tol_e.accepts(e, th.energy), "y = {y}: e {} vs {e}", th.energy);
            prop_assert!(tol_t.accepts(v, th.temperature), "y = {y}: t {} vs {v}", th.temperature);
        }
    }

    /// Equipartition for MSE (T12), $e - y^2 = nt/2$, with $e$ sampled: Monte Carlo of
    /// $(y - w^\top x)^2$ over the init ($N = 4000$ draws, stream = the case's seed) against
    /// $y^2 + nt/2$ from the library's temperature, within $k\hat\sigma/\sqrt N$
    /// ($k$ = `DEFAULT_K`). Any $n$ in 1..=40, scales 1e-3..1e3, features and targets in
    /// [−10, 10], both init shapes.
    #[test]
    fn mse_equipartition(
        scale in 1e-3f64..1e3,
        x in prop::collection::vec(-10.0f64..10.0, 1..=40),
        y in -10.0f64..10.0,
        uniform in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let init = if uniform { Init::uniform(scale).unwrap() } else { Init::normal(scale).unwrap() };
        let th = sample_thermo(Loss::Mse, init, &x, y).unwrap();
        let n = x.len() as f64;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut w = Welford::new();
        for _ in 0..4000 {
            let y_hat: f64 = x
                .iter()
                .map(|&xi| {
                    let u: f64 = if uniform {
                        rng.random_range(-scale..scale)
                    } else {
                        scale * Distribution::<f64>::sample(&StandardNormal, &mut rng)
                    };
                    u * xi
                })
                .sum();
            w.push((y - y_hat) * (y - y_hat));
        }
        let expected = y * y + n * th.temperature / 2.0;
        prop_assert!(
            w.tolerance(DEFAULT_K).accepts(expected, w.mean()),
            "MC e {} vs y² + nt/2 = {expected}", w.mean()
        );
    }

    /// Virial (T8) = Stein (T9) = closed form for the normal init: computed independently by
    /// quadrature — E[ŷ ∂ℓ]/n and s² E[∂²ℓ]/n — for MSE and CE; s in 0.05..20, y in [−3, 3]
    /// (CE: ±1). Tolerance: the two quadratures' error estimates (and, against the library,
    /// its documented 1e-12).
    #[test]
    fn virial_equals_stein(s in 0.05f64..20.0, y in -3.0f64..3.0, ce in any::<bool>()) {
        let (loss, y) = if ce { (Loss::CrossEntropy, y.signum()) } else { (Loss::Mse, y) };
        let opts = QuadOptions::new(1e-12, 1e-300).unwrap();
        let v = gaussian_expectation(|z| z * loss.derivative(y, z), s * s, &[], &opts).unwrap();
        let st = gaussian_expectation(|z| loss.second_derivative(y, z), s * s, &[], &opts).unwrap();
        let stein = s * s * st.value;
        let tol = Tolerance::error_estimate(ESTIMATE_FACTOR, v.error_estimate + s * s * st.error_estimate, stein);
        prop_assert!(tol.accepts(stein, v.value), "virial {} vs Stein {stein}", v.value);
        let th = sample_thermo(loss, Init::normal(s).unwrap(), &[1.0], y).unwrap();
        let tol = Tolerance::error_estimate(ESTIMATE_FACTOR, s * s * st.error_estimate, stein)
            .plus(Tolerance::stated_relative(1e-12, stein, "sample_thermo's documented accuracy"));
        prop_assert!(tol.accepts(stein, th.temperature), "library {} vs Stein {stein}", th.temperature);
    }
}
