//! Percentiles and formatting for the benchmark's figures.

use std::time::Duration;

#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub count: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    pub fn of(times: &[Duration]) -> Summary {
        if times.is_empty() {
            return Summary::default();
        }
        let mut sorted = times.to_vec();
        sorted.sort();
        let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
        Summary {
            count: sorted.len(),
            p50: at(0.5),
            p99: at(0.99),
            max: sorted[sorted.len() - 1],
        }
    }
}

pub fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms >= 100.0 {
        format!("{ms:>7.0} ms")
    } else {
        format!("{ms:>7.2} ms")
    }
}

/// A-Z letters for a number, so each round's word is one token no other item has.
pub fn letters(mut n: usize) -> String {
    let mut out = String::new();
    loop {
        out.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return out;
        }
    }
}
