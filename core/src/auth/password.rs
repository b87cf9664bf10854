//! Password hashes: argon2id (PHC string) for new accounts, and Better Auth's
//! scrypt format (`<salt hex>:<key hex>`) verified always and written on request.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use unicode_normalization::UnicodeNormalization;

use crate::random;

/// Which format new password hashes are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PasswordScheme {
    /// argon2id, OWASP's 46 MiB configuration with 3 passes and 1 lane: about
    /// 40 ms on a current CPU, above OWASP's minimum (which takes ~12 ms).
    #[default]
    Argon2,
    /// Better Auth's scrypt (N = 16384, r = 16, p = 1), for a database shared
    /// with a stock Better Auth that cannot read argon2.
    Scrypt,
}

const ARGON2_MEMORY_KIB: u32 = 46 * 1024;
const ARGON2_PASSES: u32 = 3;
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 16;
const SCRYPT_P: u32 = 1;
const SCRYPT_KEY_LEN: usize = 64;

#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed")]
pub struct HashError;

fn argon2() -> Argon2<'static> {
    // Constant, valid parameters.
    #[allow(clippy::expect_used)]
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// NFKC, as Better Auth does, so the same password typed with composed or
/// decomposed characters is the same password.
fn normalise(password: &str) -> String {
    password.nfkc().collect()
}

pub fn hash(password: &str, scheme: PasswordScheme) -> Result<String, HashError> {
    let password = normalise(password);
    let mut salt = [0u8; 16];
    random::fill(&mut salt);
    match scheme {
        PasswordScheme::Argon2 => {
            let salt = SaltString::encode_b64(&salt).map_err(|_| HashError)?;
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|_| HashError)
        }
        PasswordScheme::Scrypt => {
            // Better Auth feeds the hex text of the salt to scrypt, not its bytes.
            let salt_hex = hex::encode(salt);
            let key = scrypt_key(&password, &salt_hex)?;
            Ok(format!("{salt_hex}:{}", hex::encode(key)))
        }
    }
}

/// Whether `password` matches `stored` (either format). An unknown format never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    let password = normalise(password);
    if stored.starts_with("$argon2") {
        return PasswordHash::new(stored)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
    }
    let Some((salt_hex, key_hex)) = stored.split_once(':') else {
        tracing::warn!("a stored password hash has an unknown format");
        return false;
    };
    let Ok(expected) = hex::decode(key_hex) else {
        return false;
    };
    match scrypt_key(&password, salt_hex) {
        Ok(actual) => actual.as_slice().ct_eq(expected.as_slice()).into(),
        Err(_) => false,
    }
}

/// Spends the same time as checking a real hash, for sign-ins to unknown emails,
/// so response time does not tell whether an account exists.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("dummy password for timing", PasswordScheme::Argon2).ok()) {
        verify(password, dummy);
    }
}

fn scrypt_key(password: &str, salt: &str) -> Result<[u8; SCRYPT_KEY_LEN], HashError> {
    let params = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, SCRYPT_KEY_LEN).map_err(|_| HashError)?;
    let mut key = [0u8; SCRYPT_KEY_LEN];
    scrypt::scrypt(password.as_bytes(), salt.as_bytes(), &params, &mut key).map_err(|_| HashError)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Vector {
        password: String,
        hash: String,
    }

    fn better_auth_vectors() -> Vec<Vector> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/betterauth/hashes.json");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
    }

    #[test]
    fn every_better_auth_vector_verifies_and_a_wrong_password_does_not() {
        let vectors = better_auth_vectors();
        assert_eq!(vectors.len(), 3);
        for v in &vectors {
            assert!(verify(&v.password, &v.hash), "{:?} should verify", v.password);
            assert!(!verify(&format!("{}x", v.password), &v.hash));
            assert!(!verify("", &v.hash));
        }
    }

    #[test]
    fn a_decomposed_spelling_of_a_password_is_the_same_password() {
        let vectors = better_auth_vectors();
        let unicode = &vectors[1];
        let decomposed: String = unicode.password.nfd().collect();
        assert_ne!(decomposed, unicode.password);
        assert!(verify(&decomposed, &unicode.hash));
    }

    #[test]
    fn argon2id_hashes_are_phc_strings_with_the_configured_cost() {
        let h = hash("correct horse", PasswordScheme::Argon2).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.starts_with("$argon2id$v=19$m=47104,t=3,p=1$"), "{h}");
        assert!(verify("correct horse", &h));
        assert!(!verify("correct horsE", &h));
        assert_ne!(
            h,
            hash("correct horse", PasswordScheme::Argon2).unwrap_or_default(),
            "salted"
        );
    }

    #[test]
    fn scrypt_hashes_are_in_better_auths_format() {
        let h = hash("Ünïcødé ﬁ", PasswordScheme::Scrypt).unwrap_or_else(|e| panic!("{e}"));
        let (salt, key) = h.split_once(':').unwrap_or_default();
        assert_eq!(salt.len(), 32);
        assert_eq!(key.len(), 128);
        assert!(
            h.bytes()
                .all(|c| c == b':' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(verify("Ünïcødé fi", &h), "NFKC applies before hashing");
        assert!(!verify("Ünïcødé", &h));
    }

    #[test]
    fn unknown_formats_never_verify() {
        assert!(!verify("x", "plaintext"));
        assert!(!verify("x", "zz:zz"));
        assert!(!verify("x", "$argon2id$garbage"));
    }
}
