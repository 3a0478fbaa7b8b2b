//! Login throttling policy: after `FREE_FAILURES` consecutive failures for one login
//! name, each further failure locks the name for 2^(n - FREE_FAILURES) seconds, capped at
//! `MAX_LOCK_S`. The counts live in the database (`login_failures`), so a restart or a
//! second node does not reset them; a successful login clears them.

pub const FREE_FAILURES: i64 = 5;
pub const MAX_LOCK_S: i64 = 300;

/// The lock, in milliseconds, after the `failures`-th consecutive failure.
pub fn lock_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let exp = (failures - FREE_FAILURES).min(16) as u32;
    (1i64 << exp).min(MAX_LOCK_S) * 1000
}

/// Whole seconds left until `locked_until_ms`, at least 1, if still locked.
pub fn retry_after_s(locked_until_ms: i64, now_ms: i64) -> Option<u64> {
    let left = locked_until_ms - now_ms;
    (left > 0).then(|| u64::try_from((left + 999) / 1000).unwrap_or(1).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_fifth_failure_and_is_capped() {
        assert_eq!(lock_ms(4), 0);
        assert_eq!(lock_ms(5), 1_000);
        assert_eq!(lock_ms(6), 2_000);
        assert_eq!(lock_ms(9), 16_000);
        assert_eq!(lock_ms(13), 256_000);
        assert_eq!(lock_ms(14), 300_000);
        assert_eq!(lock_ms(1_000), 300_000);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_s(10_001, 10_000), Some(1));
        assert_eq!(retry_after_s(12_000, 10_000), Some(2));
        assert_eq!(retry_after_s(12_001, 10_000), Some(3));
        assert_eq!(retry_after_s(10_000, 10_000), None);
    }
}
