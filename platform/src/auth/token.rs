//! Bearer tokens: 32 random bytes as hex. Only their SHA-256 is stored, so a copy of the
//! database does not let anyone act as an agent.

use rand::RngCore;
use sha2::{Digest, Sha256};

pub const TOKEN_HEX_LEN: usize = 64;

/// A fresh token (to hand to the client once) and its hash (to store).
pub fn generate() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = hash(&token);
    (token, hash)
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of an `Authorization: Bearer <token>` header value, if well-formed.
pub fn from_bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && token.len() == TOKEN_HEX_LEN
        && token.bytes().all(|b| b.is_ascii_hexdigit()))
    .then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_hash_stably() {
        let (t1, h1) = generate();
        let (t2, _) = generate();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), TOKEN_HEX_LEN);
        assert_eq!(hash(&t1), h1);
        assert_ne!(h1, t1);
    }

    #[test]
    fn bearer_header_parsing_rejects_junk() {
        let (t, _) = generate();
        assert_eq!(from_bearer(&format!("Bearer {t}")), Some(t.as_str()));
        assert_eq!(from_bearer(&format!("bearer {t}")), Some(t.as_str()));
        assert_eq!(from_bearer(&format!("Basic {t}")), None);
        assert_eq!(from_bearer("Bearer ' OR 1=1 --"), None);
        assert_eq!(from_bearer("Bearer"), None);
    }
}
