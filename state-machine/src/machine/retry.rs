//! When to try again: exponential backoff with jitter, capped, and never sooner than the
//! server asked (Retry-After). Pure, so the machine and its tests can use it.

use std::time::Duration;

/// The first wait.
pub const BASE_DELAY: Duration = Duration::from_secs(2);
/// The longest wait.
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Attempts before a retryable failure becomes final.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;

fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The wait before attempt `attempt` (1 for the first retry): base times 2^(attempt-1),
/// capped, with up to a quarter added as jitter drawn from `seed`, and at least
/// `retry_after` when the server named one.
pub fn backoff_delay(attempt: u32, retry_after: Option<Duration>, seed: u64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    let raw = BASE_DELAY.saturating_mul(1u32 << exponent).min(MAX_DELAY);
    let quarter = raw.as_millis() as u64 / 4;
    let jitter = if quarter == 0 {
        0
    } else {
        mix(seed ^ u64::from(attempt)) % quarter
    };
    let delay = (raw + Duration::from_millis(jitter)).min(MAX_DELAY);
    match retry_after {
        Some(wait) if wait > delay => wait.min(Duration::from_secs(6 * 3600)),
        _ => delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let delays: Vec<Duration> = (1..=12)
            .map(|attempt| backoff_delay(attempt, None, 7))
            .collect();
        assert!(delays[0] >= BASE_DELAY && delays[0] < BASE_DELAY * 2);
        assert!(
            delays
                .windows(2)
                .all(|pair| pair[1] >= pair[0] || pair[1] == MAX_DELAY)
        );
        assert_eq!(*delays.last().expect("delays"), MAX_DELAY);
    }

    #[test]
    fn jitter_depends_on_the_seed_and_stays_small() {
        let a = backoff_delay(4, None, 1);
        let b = backoff_delay(4, None, 2);
        assert_ne!(a, b);
        for delay in [a, b] {
            assert!(
                delay >= Duration::from_secs(16) && delay < Duration::from_secs(20),
                "{delay:?}"
            );
        }
    }

    #[test]
    fn retry_after_is_honoured() {
        assert_eq!(
            backoff_delay(1, Some(Duration::from_secs(120)), 3),
            Duration::from_secs(120)
        );
        assert!(backoff_delay(6, Some(Duration::from_secs(1)), 3) > Duration::from_secs(1));
    }
}
