//! Credentials: password hashing, bearer tokens, and the login throttle policy.

pub mod password;
pub mod throttle;
pub mod token;
