//! Better Auth's JWT plugin key store: Ed25519 keys in the `jwks` table, the
//! private JWK encrypted with XChaCha20-Poly1305 under SHA-256 of the secret,
//! stored as a JSON string of hex (`nonce ‖ ciphertext ‖ tag`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Error, Result};
use crate::random;
use crate::timestamp::Timestamp;

const NONCE_LEN: usize = 24;

/// A row of the `jwks` table.
#[derive(Clone, sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
pub(crate) struct KeyRow {
    pub id: String,
    pub public_key: String,
    pub private_key: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub alg: Option<String>,
    pub crv: Option<String>,
}

impl std::fmt::Debug for KeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRow")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// An Ed25519 key as a JWK; `d` only in the private form.
#[derive(Clone, Serialize, Deserialize)]
struct OkpJwk {
    crv: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<String>,
    x: String,
    kty: String,
}

/// One public key as published at the JWKS endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    pub alg: String,
    pub crv: String,
    pub x: String,
    pub kty: String,
    pub kid: String,
}

/// The JSON Web Key Set document: `{"keys": [...]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

impl Jwks {
    /// The verification key with this id, if the set holds an Ed25519 key with it.
    pub fn decoding_key(&self, kid: &str) -> Option<DecodingKey> {
        self.keys
            .iter()
            .find(|k| k.kid == kid && k.kty == "OKP" && k.crv == "Ed25519")
            .and_then(|k| DecodingKey::from_ed_components(&k.x).ok())
    }
}

fn cipher(secret: &str) -> XChaCha20Poly1305 {
    let key = Sha256::digest(secret.as_bytes());
    XChaCha20Poly1305::new(&key)
}

/// The private JWK's JSON text, from the stored column value.
pub(crate) fn decrypt_private_key(stored: &str, secret: &str) -> Result<String> {
    let hex_text = serde_json::from_str::<String>(stored).unwrap_or_else(|_| stored.to_owned());
    let bytes = hex::decode(hex_text.trim()).map_err(|_| Error::KeyStore("it is not hex".into()))?;
    if bytes.len() <= NONCE_LEN {
        return Err(Error::KeyStore("it is too short".into()));
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let plain = cipher(secret)
        .decrypt(XNonce::from_slice(nonce), sealed)
        .map_err(|_| Error::KeyStore("it does not decrypt with this secret".into()))?;
    String::from_utf8(plain).map_err(|_| Error::KeyStore("it is not text".into()))
}

/// The column value for a private JWK's JSON text.
pub(crate) fn encrypt_private_key(plain: &str, secret: &str) -> Result<String> {
    let mut nonce = [0u8; NONCE_LEN];
    random::fill(&mut nonce);
    let sealed = cipher(secret)
        .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
        .map_err(|_| Error::KeyStore("it could not be encrypted".into()))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    serde_json::to_string(&hex::encode(out)).map_err(|_| Error::KeyStore("it could not be encoded".into()))
}

/// A new key in the table's format: (row without timestamps filled, signing key).
pub(crate) fn generate(secret: &str) -> Result<KeyRow> {
    let mut seed = [0u8; 32];
    random::fill(&mut seed);
    let signing = SigningKey::from_bytes(&seed);
    let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
    let public = OkpJwk {
        crv: "Ed25519".into(),
        d: None,
        x: x.clone(),
        kty: "OKP".into(),
    };
    let private = OkpJwk {
        d: Some(URL_SAFE_NO_PAD.encode(seed)),
        ..public.clone()
    };
    let encode =
        |jwk: &OkpJwk| serde_json::to_string(jwk).map_err(|_| Error::KeyStore("it could not be encoded".into()));
    Ok(KeyRow {
        id: random::alphanumeric_id(),
        public_key: encode(&public)?,
        private_key: encrypt_private_key(&encode(&private)?, secret)?,
        created_at: Timestamp::now(),
        expires_at: None,
        alg: Some("EdDSA".into()),
        crv: Some("Ed25519".into()),
    })
}

impl KeyRow {
    pub(crate) fn is_ed25519(&self) -> bool {
        self.alg.as_deref().is_none_or(|a| a == "EdDSA") && self.crv.as_deref().is_none_or(|c| c == "Ed25519")
    }

    pub(crate) fn public_jwk(&self) -> Result<PublicJwk> {
        let jwk: OkpJwk = serde_json::from_str(&self.public_key)
            .map_err(|_| Error::KeyStore(format!("public key {} is not an Ed25519 JWK", self.id)))?;
        Ok(PublicJwk {
            alg: "EdDSA".into(),
            crv: jwk.crv,
            x: jwk.x,
            kty: jwk.kty,
            kid: self.id.clone(),
        })
    }

    pub(crate) fn encoding_key(&self, secret: &str) -> Result<EncodingKey> {
        let plain = decrypt_private_key(&self.private_key, secret)?;
        let jwk: OkpJwk = serde_json::from_str(&plain).map_err(|_| Error::KeyStore("it is not a JWK".into()))?;
        let seed = jwk
            .d
            .and_then(|d| URL_SAFE_NO_PAD.decode(d).ok())
            .and_then(|d| <[u8; 32]>::try_from(d).ok())
            .ok_or_else(|| Error::KeyStore("it holds no Ed25519 private key".into()))?;
        let der = SigningKey::from_bytes(&seed)
            .to_pkcs8_der()
            .map_err(|_| Error::KeyStore("it could not be encoded".into()))?;
        Ok(EncodingKey::from_ed_der(der.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{BETTER_AUTH_SECRET as SECRET, fixture_file as shared};

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct SharedRow {
        id: String,
        public_key: String,
        private_key: String,
    }

    #[test]
    fn better_auths_stored_private_key_decrypts_to_the_published_key() {
        let rows: Vec<SharedRow> = serde_json::from_str(&shared("jwks_table_rows.json")).unwrap_or_default();
        let row = &rows[0];
        let plain = decrypt_private_key(&row.private_key, SECRET).unwrap_or_else(|e| panic!("{e}"));
        let private: OkpJwk = serde_json::from_str(&plain).unwrap_or_else(|e| panic!("{e}"));
        let seed = URL_SAFE_NO_PAD
            .decode(private.d.unwrap_or_default())
            .unwrap_or_default();
        let derived = SigningKey::from_bytes(&<[u8; 32]>::try_from(seed).unwrap_or_else(|_| panic!("32-byte seed")));
        let public: OkpJwk = serde_json::from_str(&row.public_key).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(URL_SAFE_NO_PAD.encode(derived.verifying_key().as_bytes()), public.x);
        assert!(decrypt_private_key(&row.private_key, "another secret").is_err());
        let published: Jwks = serde_json::from_str(&shared("jwks.json")).unwrap_or_default();
        assert_eq!(published.keys[0].kid, row.id);
        assert_eq!(published.keys[0].x, public.x);
    }

    #[test]
    fn generated_keys_round_trip_through_the_stored_format() {
        let row = generate(SECRET).unwrap_or_else(|e| panic!("{e}"));
        assert!(row.private_key.starts_with('"') && row.private_key.ends_with('"'));
        assert!(row.encoding_key(SECRET).is_ok());
        assert!(row.encoding_key("wrong").is_err());
        let jwk = row.public_jwk().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (jwk.kty.as_str(), jwk.crv.as_str(), jwk.kid.as_str()),
            ("OKP", "Ed25519", row.id.as_str())
        );
    }
}
