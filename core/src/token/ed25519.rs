//! Ed25519 verification with each public key parsed once.
//!
//! jsonwebtoken builds a verifier for every token and so parses the key
//! again each time (a point decompression, about a third of the work). The
//! crypto provider installed here is jsonwebtoken's RustCrypto one, except
//! that its EdDSA verifiers reuse the key parsed the first time. Only the
//! keys of the jwks table reach it (a token chooses a key by `kid` among
//! those), so the cache stays small; it is bounded all the same.

use std::collections::HashMap;
use std::sync::{LazyLock, Once, PoisonError, RwLock};

use ed25519_dalek::{Signature, VerifyingKey};
use jsonwebtoken::crypto::{CryptoProvider, JwtVerifier, rust_crypto};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::signature::{Error as SignatureError, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey};

/// Parsed keys kept at most; past this the cache starts again empty.
const MAX_PARSED_KEYS: usize = 256;

static PARSED: LazyLock<RwLock<HashMap<[u8; 32], VerifyingKey>>> = LazyLock::new(Default::default);

static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
    verifier_factory,
    ..rust_crypto::DEFAULT_PROVIDER.clone()
});

/// Makes the provider this process's default, before any token is made or
/// read. Where something chose a provider first, tokens still verify, each
/// parsing its key.
pub(super) fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if PROVIDER.install_default().is_err() {
            tracing::debug!("another JWT crypto provider is installed: Ed25519 keys are parsed per token");
        }
    });
}

fn verifier_factory(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    if *algorithm != Algorithm::EdDSA || key.family() != AlgorithmFamily::Ed {
        return (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(algorithm, key);
    }
    let bytes: [u8; 32] = key
        .try_get_as_bytes()?
        .get(..32)
        .and_then(|b| b.try_into().ok())
        .ok_or(ErrorKind::InvalidEddsaKey)?;
    let cached = PARSED
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&bytes)
        .copied();
    let parsed = match cached {
        Some(parsed) => parsed,
        None => {
            let parsed = VerifyingKey::from_bytes(&bytes).map_err(|_| ErrorKind::InvalidEddsaKey)?;
            let mut parsed_keys = PARSED.write().unwrap_or_else(PoisonError::into_inner);
            if parsed_keys.len() >= MAX_PARSED_KEYS {
                parsed_keys.clear();
            }
            parsed_keys.insert(bytes, parsed);
            parsed
        }
    };
    Ok(Box::new(ParsedKey(parsed)))
}

struct ParsedKey(VerifyingKey);

/// As jsonwebtoken's own EdDSA verifier checks.
impl Verifier<Vec<u8>> for ParsedKey {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> std::result::Result<(), SignatureError> {
        self.0.verify(message, &Signature::from_slice(signature)?)
    }
}

impl JwtVerifier for ParsedKey {
    fn algorithm(&self) -> Algorithm {
        Algorithm::EdDSA
    }
}
