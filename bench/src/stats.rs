//! Throughput/latency samples, percentiles and medians.

use serde::Serialize;

/// One measurement of one test: throughput and latency percentiles, as redis-benchmark reports
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Completed requests per second.
    pub rps: f64,
    /// Median request latency in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile request latency in milliseconds.
    pub p99_ms: f64,
}

impl Sample {
    /// The median of each field over `runs` taken separately (the "median of three").
    pub fn median(runs: &[Sample]) -> Sample {
        let field = |f: fn(&Sample) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
        Sample {
            rps: field(|s| s.rps),
            p50_ms: field(|s| s.p50_ms),
            p99_ms: field(|s| s.p99_ms),
        }
    }
}

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// The `p`-th percentile (0..=100, nearest rank) of `sorted`, which must be sorted ascending;
/// NaN when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Latencies in milliseconds collected by a load generator, summarized over `elapsed_s` seconds.
pub fn summarize(mut latencies_ms: Vec<f64>, elapsed_s: f64) -> Sample {
    latencies_ms.sort_by(f64::total_cmp);
    Sample {
        rps: latencies_ms.len() as f64 / elapsed_s,
        p50_ms: percentile(&latencies_ms, 50.0),
        p99_ms: percentile(&latencies_ms, 99.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&v, 100.0), 100.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
    }

    #[test]
    fn sample_median_is_per_field() {
        let s = |rps, p50_ms, p99_ms| Sample {
            rps,
            p50_ms,
            p99_ms,
        };
        let m = Sample::median(&[s(10.0, 3.0, 9.0), s(30.0, 1.0, 7.0), s(20.0, 2.0, 8.0)]);
        assert_eq!(m, s(20.0, 2.0, 8.0));
    }
}
