//! Sign-in rules: lock-out after repeated failures, session limits.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Lock-out and session limits (from the municipality pack).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub struct LoginPolicy {
    /// Failures in a row before the account is locked.
    pub max_failures: u32,
    pub lockout_minutes: u32,
    /// A session unused this long ends.
    pub session_idle_minutes: u32,
    /// A session ends this long after sign-in, however busy.
    pub session_absolute_hours: u32,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            lockout_minutes: 15,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
        }
    }
}

/// Who signs in with a second factor (TOTP), from the municipality pack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorPolicy {
    /// Roles that must enrol and use a second factor.
    #[serde(default)]
    pub required_roles: Vec<crate::Role>,
}

impl SecondFactorPolicy {
    pub fn requires(&self, role: crate::Role) -> bool {
        self.required_roles.contains(&role)
    }
}

/// How long a proof of identity (the sign-in, or a re-authentication)
/// covers privileged actions: user management, protection changes,
/// consent overrides, merges and exports ask again after it.
pub const REAUTHENTICATION_MINUTES: i64 = 10;

/// Whether an identity proven at `at` still covers a privileged action at `now`.
pub fn recently_authenticated(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - at <= Duration::minutes(REAUTHENTICATION_MINUTES)
}

/// Failed sign-ins for one username (existing or not, so that lock-out does
/// not reveal which usernames exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginThrottle {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl LoginThrottle {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// The state after one more failure: at the limit the account locks and
    /// the count starts again.
    pub fn after_failure(self, now: DateTime<Utc>, policy: &LoginPolicy) -> LoginThrottle {
        let failures = if self.locked_until.is_some_and(|until| now >= until) {
            1
        } else {
            self.failures + 1
        };
        if failures >= policy.max_failures {
            LoginThrottle {
                failures: 0,
                locked_until: Some(now + Duration::minutes(i64::from(policy.lockout_minutes))),
            }
        } else {
            LoginThrottle {
                failures,
                locked_until: None,
            }
        }
    }
}

/// When a session began and when it was last used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

impl SessionTimes {
    /// A session is alive while used within the idle limit and younger than
    /// the absolute limit.
    pub fn is_alive(&self, now: DateTime<Utc>, policy: &LoginPolicy) -> bool {
        let idle = Duration::minutes(i64::from(policy.session_idle_minutes));
        let absolute = Duration::hours(i64::from(policy.session_absolute_hours));
        now - self.last_seen_at < idle && now - self.created_at < absolute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    #[test]
    fn fifth_failure_locks_for_the_configured_time() {
        let policy = LoginPolicy::default();
        let mut throttle = LoginThrottle::default();
        for _ in 0..4 {
            throttle = throttle.after_failure(at(0), &policy);
            assert!(!throttle.is_locked(at(0)));
        }
        throttle = throttle.after_failure(at(0), &policy);
        assert!(throttle.is_locked(at(14)));
        assert!(!throttle.is_locked(at(15)));
    }

    #[test]
    fn a_failure_after_the_lock_expired_counts_from_one() {
        let policy = LoginPolicy::default();
        let locked = LoginThrottle {
            failures: 0,
            locked_until: Some(at(15)),
        };
        let next = locked.after_failure(at(20), &policy);
        assert_eq!(next.failures, 1);
        assert!(!next.is_locked(at(20)));
    }

    #[test]
    fn sessions_end_after_idle_or_absolute_limit() {
        let policy = LoginPolicy::default();
        let fresh = SessionTimes {
            created_at: at(0),
            last_seen_at: at(0),
        };
        assert!(fresh.is_alive(at(29), &policy));
        assert!(!fresh.is_alive(at(30), &policy));
        let busy = SessionTimes {
            created_at: at(0),
            last_seen_at: at(12 * 60 - 1),
        };
        assert!(busy.is_alive(at(12 * 60 - 1), &policy));
        assert!(!busy.is_alive(at(12 * 60), &policy));
    }
}
