//! Argon2id password hashes (the crate's default parameters), stored as PHC strings.
//!
//! Hashing and verifying take tens of milliseconds of CPU on purpose, so they run on the
//! blocking thread pool and never stall the async workers.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the blocking task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Hashes a password into a PHC string (`$argon2id$v=19$...`).
pub fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the stored PHC string. A malformed stored hash never
/// matches.
pub fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
}

pub async fn verify(password: String, phc: String) -> Result<bool, PasswordError> {
    Ok(tokio::task::spawn_blocking(move || verify_blocking(&password, &phc)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_blocking("secret").expect("hash");
        let b = hash_blocking("secret").expect("hash");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_blocking("secret", &a));
        assert!(!verify_blocking("Secret", &a));
        assert!(!verify_blocking("secret", "not a hash"));
    }
}
