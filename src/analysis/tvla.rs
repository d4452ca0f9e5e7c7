//! Welch's t-test for fixed-versus-random TVLA: running means and variances per sample point
//! (Welford), per class, and the t statistic between the two classes. Pure arithmetic, no RTL.

use serde::Serialize;

/// The TVLA threshold: |t| above it is taken as evidence of leakage (Goodwill et al., 2011).
pub const THRESHOLD: f64 = 4.5;

/// |t| reported when both classes have zero variance at a point and different means (the two
/// classes are told apart with certainty); JSON has no infinity.
pub const T_CERTAIN: f64 = 1.0e6;

/// Running mean and variance of one class at many sample points (Welford's algorithm).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moments {
    n: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Moments {
    /// Empty moments over `points` sample points.
    pub fn new(points: usize) -> Self {
        Self {
            n: 0,
            mean: vec![0.0; points],
            m2: vec![0.0; points],
        }
    }

    /// Add one trace; a trace of another length than `points` is refused (`false`).
    pub fn add(&mut self, trace: &[f64]) -> bool {
        if trace.len() != self.mean.len() {
            return false;
        }
        self.n += 1;
        let n = self.n as f64;
        for ((m, s), &x) in self.mean.iter_mut().zip(&mut self.m2).zip(trace) {
            let d = x - *m;
            *m += d / n;
            *s += d * (x - *m);
        }
        true
    }

    /// Traces added.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean at each point.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Unbiased sample variance at each point (0 with fewer than two traces).
    pub fn variance(&self) -> Vec<f64> {
        let d = self.n.saturating_sub(1) as f64;
        self.m2
            .iter()
            .map(|s| if d > 0.0 { s / d } else { 0.0 })
            .collect()
    }
}

/// Welch's t between two classes at every point: `(m0 - m1) / sqrt(v0/n0 + v1/n1)`; 0 where
/// the means are equal and both variances zero, +/-[`T_CERTAIN`] where only the means differ.
/// Empty unless both classes have at least two traces and the same points.
pub fn welch_t(a: &Moments, b: &Moments) -> Vec<f64> {
    if a.n < 2 || b.n < 2 || a.mean.len() != b.mean.len() {
        return Vec::new();
    }
    let (va, vb) = (a.variance(), b.variance());
    let (na, nb) = (a.n as f64, b.n as f64);
    (0..a.mean.len())
        .map(|i| {
            let d = a.mean[i] - b.mean[i];
            let s = (va[i] / na + vb[i] / nb).sqrt();
            if s > 0.0 {
                (d / s).clamp(-T_CERTAIN, T_CERTAIN)
            } else if d.abs() > 1e-12 {
                T_CERTAIN.copysign(d)
            } else {
                0.0
            }
        })
        .collect()
}

/// Largest |t| over `t[range]` and where it is (absolute index), or `(0, start)` if empty.
pub fn max_abs(t: &[f64], range: std::ops::Range<usize>) -> (f64, usize) {
    let start = range.start;
    t.get(range)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .fold((0.0, start), |(m, at), (i, &x)| {
            if x.abs() > m {
                (x.abs(), start + i)
            } else {
                (m, at)
            }
        })
}

/// Points of `t[range]` with |t| above [`THRESHOLD`].
pub fn leaking_points(t: &[f64], range: std::ops::Range<usize>) -> usize {
    t.get(range)
        .unwrap_or(&[])
        .iter()
        .filter(|x| x.abs() > THRESHOLD)
        .count()
}

/// A summary of one t curve over one phase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseT {
    /// Phase name.
    pub phase: String,
    /// First cycle of the phase (from the start of the trace) and one past its last.
    pub cycles: (usize, usize),
    /// Largest |t| in the phase.
    pub max_abs_t: f64,
    /// Cycle of the largest |t|.
    pub at_cycle: usize,
    /// Cycles with |t| > [`THRESHOLD`].
    pub leaking_cycles: usize,
}

impl PhaseT {
    /// The summary of `t` over `cycles` of phase `phase`.
    pub fn of(phase: &str, t: &[f64], cycles: (usize, usize)) -> Self {
        let (m, at) = max_abs(t, cycles.0..cycles.1);
        Self {
            phase: phase.to_string(),
            cycles,
            max_abs_t: m,
            at_cycle: at,
            leaking_cycles: leaking_points(t, cycles.0..cycles.1),
        }
    }

    /// Whether the phase leaks (|t| > [`THRESHOLD`] somewhere).
    pub fn leaks(&self) -> bool {
        self.max_abs_t > THRESHOLD
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn moments(rows: &[Vec<f64>]) -> Moments {
        let mut m = Moments::new(rows[0].len());
        for r in rows {
            assert!(m.add(r));
        }
        m
    }

    #[test]
    fn welch_t_known_answer() {
        // a = {1,2,3,4}: mean 2.5, var 5/3; b = {2,4,6,8}: mean 5, var 20/3; n = 4 each.
        // t = (2.5 - 5) / sqrt(5/12 + 20/12) = -2.5 / sqrt(25/12) = -1.7320508...
        let a = moments(&[vec![1.0], vec![2.0], vec![3.0], vec![4.0]]);
        let b = moments(&[vec![2.0], vec![4.0], vec![6.0], vec![8.0]]);
        let t = welch_t(&a, &b);
        assert!((t[0] + 3f64.sqrt()).abs() < 1e-12, "{t:?}");
        assert!((a.variance()[0] - 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn zero_variance_cases() {
        let a = moments(&[vec![3.0, 1.0], vec![3.0, 1.0]]);
        let b = moments(&[vec![3.0, 2.0], vec![3.0, 2.0]]);
        assert_eq!(welch_t(&a, &b), vec![0.0, -T_CERTAIN]);
        assert!(welch_t(&a, &Moments::new(2)).is_empty());
        assert!(!Moments::new(2).add(&[1.0]));
    }

    #[test]
    fn phase_summary() {
        let t = [0.0, 5.0, -7.0, 1.0, 4.6];
        let p = PhaseT::of("x", &t, (0, 4));
        assert_eq!((p.max_abs_t, p.at_cycle, p.leaking_cycles), (7.0, 2, 2));
        assert!(p.leaks());
        assert!(!PhaseT::of("y", &t, (3, 4)).leaks());
        assert_eq!(PhaseT::of("z", &t, (9, 12)).max_abs_t, 0.0);
    }

    proptest! {
        // Welford equals the two-pass mean and variance.
        #[test]
        fn welford_matches_two_pass(xs in proptest::collection::vec(-1000.0f64..1000.0, 2..60)) {
            let rows: Vec<Vec<f64>> = xs.iter().map(|&x| vec![x]).collect();
            let m = moments(&rows);
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
            prop_assert!((m.mean()[0] - mean).abs() < 1e-9 * (1.0 + mean.abs()));
            prop_assert!((m.variance()[0] - var).abs() < 1e-7 * (1.0 + var));
        }

        // Same distribution in both classes (the same samples, shuffled across classes): t small;
        // a shift of many standard errors: t large and of the right sign.
        #[test]
        fn t_detects_a_shift(xs in proptest::collection::vec(0.0f64..10.0, 40..80), shift in 20.0f64..50.0) {
            let a = moments(&xs.iter().map(|&x| vec![x]).collect::<Vec<_>>());
            let b = moments(&xs.iter().rev().map(|&x| vec![x]).collect::<Vec<_>>());
            prop_assert!(welch_t(&a, &b)[0].abs() < 1e-6);
            let c = moments(&xs.iter().map(|&x| vec![x + shift]).collect::<Vec<_>>());
            prop_assert!(welch_t(&a, &c)[0] < -THRESHOLD);
        }
    }
}
