//! JWT issue, verify and refresh; Better Auth's EdDSA vectors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header, Validation};
use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo, SignedIn};
use tasktalk_core::testing::{BETTER_AUTH_SECRET, TestDatabase, fixture_json};
use tasktalk_core::token::{Claims, Error, Jwks, JwtMode, TokenConfig, Tokens};
use tasktalk_core::{Secret, test_on_both_databases};

fn config(mode: JwtMode) -> TokenConfig {
    TokenConfig {
        mode,
        ..TokenConfig::new(Secret::new(BETTER_AUTH_SECRET))
    }
}

async fn signed_up(t: &TestDatabase) -> (Accounts, SignedIn) {
    let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
    let signed = accounts
        .sign_up("tok@example.com", "Toki", "correct horse", &ClientInfo::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (accounts, signed)
}

fn invalid_reason(result: Result<Claims, Error>) -> String {
    match result {
        Err(err @ Error::Invalid(_)) => err.to_string(),
        other => panic!("expected an invalid-token error, got {other:?}"),
    }
}

/// Replaces one character of the payload part.
fn tamper(token: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let payload = &mut parts[1];
    let last = payload.pop().unwrap_or('A');
    payload.push(if last == 'A' { 'B' } else { 'A' });
    parts.join(".")
}

test_on_both_databases! {
    async fn hs256_tokens_carry_the_user_and_expire_in_15_minutes(t: TestDatabase) {
        let (accounts, signed) = signed_up(&t).await;
        let tokens = Tokens::load(&t.db, config(JwtMode::Hs256)).await.unwrap_or_else(|e| panic!("{e}"));
        let (_, issued) = tokens.issue_for_session(&accounts, &signed.session.token).await.unwrap_or_else(|e| panic!("{e}"));
        let header = jsonwebtoken::decode_header(&issued.token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((header.alg, header.kid), (Algorithm::HS256, None));
        let claims = tokens.verify(&issued.token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(claims.sub, signed.user.id);
        assert_eq!(claims.email.as_deref(), Some("tok@example.com"));
        assert_eq!(claims.name.as_deref(), Some("Toki"));
        assert_eq!(claims.exp - claims.iat, 15 * 60);
        assert_eq!((claims.iss, claims.aud), (None, None), "no aud or iss unless configured");

        // The web back end's check: HS256 with the shared secret, nothing else.
        let mut web = Validation::new(Algorithm::HS256);
        web.validate_aud = false;
        let decoded = jsonwebtoken::decode::<serde_json::Value>(&issued.token, &jsonwebtoken::DecodingKey::from_secret(BETTER_AUTH_SECRET.as_bytes()), &web);
        assert_eq!(decoded.ok().map(|d| d.claims["sub"].clone()), Some(serde_json::json!(signed.user.id)));
    }

    async fn refreshing_needs_a_live_session(t: TestDatabase) {
        let (accounts, signed) = signed_up(&t).await;
        let tokens = Tokens::load(&t.db, config(JwtMode::Hs256)).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(tokens.issue_for_session(&accounts, &signed.session.token).await.is_ok());
        accounts.sign_out(&signed.session.token).await.unwrap_or_else(|e| panic!("{e}"));
        let err = tokens.issue_for_session(&accounts, &signed.session.token).await.err();
        assert_eq!(err.map(|e| e.code()), Some("SESSION_INVALID"));
    }

    async fn eddsa_mode_creates_a_key_in_better_auths_format_and_publishes_it(t: TestDatabase) {
        let (_, signed) = signed_up(&t).await;
        let tokens = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        let jwks = tokens.jwks();
        assert_eq!(jwks.keys.len(), 1);
        let issued = tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}"));
        let header = jsonwebtoken::decode_header(&issued.token).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.kid.as_deref(), Some(jwks.keys[0].kid.as_str()));
        assert_eq!(tokens.verify(&issued.token).map(|c| c.sub).ok(), Some(signed.user.id.clone()));

        // A second instance on the same database reuses the key: tokens cross over.
        let other = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(other.jwks(), jwks);
        assert!(other.verify(&issued.token).is_ok());
        // Under another secret the stored key cannot be decrypted.
        let wrong = TokenConfig { mode: JwtMode::EdDsa, ..TokenConfig::new(Secret::new("another secret")) };
        assert_eq!(Tokens::load(&t.db, wrong).await.err().map(|e| e.code()), Some("INTERNAL"));
        // An HS256 token is not accepted in EdDSA mode, nor the reverse.
        let hs = Tokens::hs256(config(JwtMode::Hs256)).unwrap_or_else(|e| panic!("{e}"));
        let hs_token = hs.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        assert!(tokens.verify(&hs_token).is_err());
        assert!(hs.verify(&issued.token).is_err());
    }
}

#[test]
fn verification_pins_the_algorithm_and_rejects_bad_tokens() {
    let tokens = Tokens::hs256(config(JwtMode::Hs256)).unwrap_or_else(|e| panic!("{e}"));
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| Claims {
        sub: "user-1".into(),
        email: None,
        name: None,
        iat: now,
        exp,
        iss: None,
        aud: None,
    };
    let sign = |claims: &Claims, secret: &str| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap_or_default()
    };
    let good = sign(&claims(now + 600), BETTER_AUTH_SECRET);
    assert_eq!(tokens.verify(&good).map(|c| c.sub).ok().as_deref(), Some("user-1"));

    assert!(invalid_reason(tokens.verify(&tamper(&good))).contains("signature"));
    assert!(invalid_reason(tokens.verify(&sign(&claims(now + 600), "another secret"))).contains("signature"));
    assert!(invalid_reason(tokens.verify(&sign(&claims(now - 120), BETTER_AUTH_SECRET))).contains("expired"));
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        good.split('.').nth(1).unwrap_or_default()
    );
    assert!(tokens.verify(&unsigned).is_err(), "alg none is refused");
    let hs512 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims(now + 600),
        &EncodingKey::from_secret(BETTER_AUTH_SECRET.as_bytes()),
    )
    .unwrap_or_default();
    assert!(invalid_reason(tokens.verify(&hs512)).contains("algorithm"));
    assert!(tokens.verify("not a token").is_err());
    assert!(tokens.verify("").is_err());
    let reason = invalid_reason(tokens.verify(&tamper(&good)));
    assert!(!reason.contains(&good[..20]), "the error does not echo the token");
}

#[test]
fn issuer_and_audience_are_written_and_required_only_when_configured() {
    let configured = TokenConfig {
        issuer: Some("https://tasktalk.example".into()),
        audience: Some("tasktalk-api".into()),
        ..config(JwtMode::Hs256)
    };
    let strict = Tokens::hs256(configured).unwrap_or_else(|e| panic!("{e}"));
    let plain = Tokens::hs256(config(JwtMode::Hs256)).unwrap_or_else(|e| panic!("{e}"));
    let user = tasktalk_core::auth::User {
        id: "u1".into(),
        name: "U".into(),
        email: "u@example.com".into(),
        email_verified: false,
        image: None,
        created_at: tasktalk_core::Timestamp::now(),
        updated_at: tasktalk_core::Timestamp::now(),
    };
    let strict_token = strict.issue(&user).unwrap_or_else(|e| panic!("{e}")).token;
    let claims = strict.verify(&strict_token).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(claims.iss.as_deref(), Some("https://tasktalk.example"));
    assert_eq!(claims.aud, Some(serde_json::json!("tasktalk-api")));
    let plain_token = plain.issue(&user).unwrap_or_else(|e| panic!("{e}")).token;
    assert!(invalid_reason(strict.verify(&plain_token)).contains("lacks a required claim"));
    let wrong_iss = Tokens::hs256(TokenConfig {
        issuer: Some("https://evil.example".into()),
        audience: Some("tasktalk-api".into()),
        ..config(JwtMode::Hs256)
    })
    .unwrap_or_else(|e| panic!("{e}"))
    .issue(&user)
    .unwrap_or_else(|e| panic!("{e}"))
    .token;
    assert!(invalid_reason(strict.verify(&wrong_iss)).contains("issued by someone else"));
    let short = Tokens::hs256(TokenConfig {
        ttl: TimeDelta::minutes(1),
        ..config(JwtMode::Hs256)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let c = short
        .verify(&short.issue(&user).unwrap_or_else(|e| panic!("{e}")).token)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.exp - c.iat, 60, "the lifetime is configurable");
}

#[test]
fn an_empty_secret_is_a_clear_error() {
    let err = Tokens::hs256(TokenConfig::new(Secret::new("")))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("BETTER_AUTH_SECRET"), "{err}");
}

#[test]
fn better_auths_own_token_verifies_against_its_published_jwks() {
    let jwks: Jwks = serde_json::from_value(fixture_json("jwks.json")).unwrap_or_else(|e| panic!("{e}"));
    let jwt = fixture_json("jwt.json");
    let token = jwt["token"].as_str().unwrap_or_default();
    let header = jsonwebtoken::decode_header(token).unwrap_or_else(|e| panic!("{e}"));
    let key = jwks
        .decoding_key(header.kid.as_deref().unwrap_or_default())
        .unwrap_or_else(|| panic!("kid in jwks"));
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.validate_exp = false;
    validation.set_audience(&["http://localhost:3000"]);
    validation.set_issuer(&["http://localhost:3000"]);
    let claims = jsonwebtoken::decode::<Claims>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("{e}"))
        .claims;
    assert_eq!(claims.sub, "CWECJ7yivG4cgrnURZaX9TKGPGTT76nF");
    assert!(jsonwebtoken::decode::<Claims>(&tamper(token), &key, &validation).is_err());
}
