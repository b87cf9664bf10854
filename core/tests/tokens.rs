//! JWT issue, verify and refresh; Better Auth's EdDSA vectors.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, EncodingKey, Header, Validation};
use std::sync::Arc;
use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo, SignedIn};

use tasktalk_core::agent::{Agent, OfflineAssistant};
use tasktalk_core::chatkit::{self, ChatKit};
use tasktalk_core::db::Database;
use tasktalk_core::tasks::Tasks;
use tasktalk_core::testing::{BETTER_AUTH_SECRET, TestDatabase, count_rows, fixture_json};
use tasktalk_core::token::{Claims, Error, Jwks, JwtMode, TokenConfig, Tokens};
use tasktalk_core::{Secret, on_db, test_on_both_databases};

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

/// HS256 tokens checking accounts in a throwaway SQLite database.
async fn hs256_on_sqlite() -> (TestDatabase, Tokens) {
    let t = TestDatabase::sqlite().await;
    let tokens = Tokens::load(&t.db, config(JwtMode::Hs256))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    (t, tokens)
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
        let wrong = TokenConfig { mode: JwtMode::EdDsa, ..TokenConfig::new(Secret::new("another secret, 0123456789abcdefghij")) };
        assert_eq!(Tokens::load(&t.db, wrong).await.err().map(|e| e.code()), Some("INTERNAL"));
        // An HS256 token is not accepted in EdDSA mode, nor the reverse.
        let hs = Tokens::load(&t.db, config(JwtMode::Hs256)).await.unwrap_or_else(|e| panic!("{e}"));
        let hs_token = hs.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        assert!(tokens.verify(&hs_token).is_err());
        assert!(hs.verify(&issued.token).is_err());
    }
}

#[tokio::test]
async fn verification_pins_the_algorithm_and_rejects_bad_tokens() {
    let (_t, tokens) = hs256_on_sqlite().await;
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
    assert!(
        invalid_reason(tokens.verify(&sign(&claims(now + 600), "another secret, 0123456789abcdefghij")))
            .contains("signature")
    );
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

#[tokio::test]
async fn issuer_and_audience_are_written_and_required_only_when_configured() {
    let t = TestDatabase::sqlite().await;
    let configured = TokenConfig {
        issuer: Some("https://tasktalk.example".into()),
        audience: Some("tasktalk-api".into()),
        ..config(JwtMode::Hs256)
    };
    let strict = Tokens::load(&t.db, configured).await.unwrap_or_else(|e| panic!("{e}"));
    let plain = Tokens::load(&t.db, config(JwtMode::Hs256))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let user = user("u1");
    let strict_token = strict.issue(&user).unwrap_or_else(|e| panic!("{e}")).token;
    let claims = strict.verify(&strict_token).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(claims.iss.as_deref(), Some("https://tasktalk.example"));
    assert_eq!(claims.aud, Some(serde_json::json!("tasktalk-api")));
    let plain_token = plain.issue(&user).unwrap_or_else(|e| panic!("{e}")).token;
    assert!(invalid_reason(strict.verify(&plain_token)).contains("lacks a required claim"));
    let wrong_iss = Tokens::load(
        &t.db,
        TokenConfig {
            issuer: Some("https://evil.example".into()),
            audience: Some("tasktalk-api".into()),
            ..config(JwtMode::Hs256)
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"))
    .issue(&user)
    .unwrap_or_else(|e| panic!("{e}"))
    .token;
    assert!(invalid_reason(strict.verify(&wrong_iss)).contains("issued by someone else"));
    let short = Tokens::load(
        &t.db,
        TokenConfig {
            ttl: TimeDelta::minutes(1),
            ..config(JwtMode::Hs256)
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let c = short
        .verify(&short.issue(&user).unwrap_or_else(|e| panic!("{e}")).token)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.exp - c.iat, 60, "the lifetime is configurable");
}

#[tokio::test]
async fn an_eddsa_token_verified_before_still_expires() {
    let t = TestDatabase::sqlite().await;
    let short = TokenConfig {
        ttl: TimeDelta::seconds(1),
        leeway_secs: 0,
        ..config(JwtMode::EdDsa)
    };
    let tokens = Tokens::load(&t.db, short).await.unwrap_or_else(|e| panic!("{e}"));
    let token = tokens.issue(&user("u1")).unwrap_or_else(|e| panic!("{e}")).token;
    assert!(tokens.verify(&token).is_ok(), "checked once, and kept");
    assert!(tokens.verify(&token).is_ok(), "the same token again");
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert!(invalid_reason(tokens.verify(&token)).contains("expired"));
}

#[tokio::test]
async fn an_empty_secret_is_a_clear_error() {
    let t = TestDatabase::sqlite().await;
    let err = Tokens::load(&t.db, TokenConfig::new(Secret::new("")))
        .await
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

/// A user row, for issuing tokens without an account store.
fn user(id: &str) -> tasktalk_core::auth::User {
    tasktalk_core::auth::User {
        id: id.into(),
        name: "U".into(),
        email: format!("{id}@example.com"),
        email_verified: false,
        image: None,
        created_at: tasktalk_core::Timestamp::now(),
        updated_at: tasktalk_core::Timestamp::now(),
    }
}

fn hs256(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(BETTER_AUTH_SECRET.as_bytes()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A ChatKit on these tokens with the offline assistant: the core's own entry point.
fn chatkit(t: &TestDatabase, tokens: Tokens) -> ChatKit {
    let tasks = Tasks::new(t.db.clone());
    ChatKit::new(
        t.db.clone(),
        Arc::new(tokens),
        Agent::new(Arc::new(OfflineAssistant::default()), tasks),
    )
}

/// The status of a ChatKit answer; a stream is a 200.
async fn chatkit_status(chatkit: &ChatKit, jwt: &str, body: serde_json::Value) -> u16 {
    match chatkit
        .process(Some(&format!("Bearer {jwt}")), body.to_string().as_bytes())
        .await
    {
        chatkit::Response::Json { status, .. } => status,
        chatkit::Response::Stream(_) => 200,
    }
}

#[tokio::test]
async fn a_token_not_valid_yet_or_issued_in_the_future_is_refused() {
    let (_t, tokens) = hs256_on_sqlite().await;
    let now = chrono::Utc::now().timestamp();
    let within = i64::try_from(tokens.config().leeway_secs).unwrap_or_default() - 5;
    let token = |iat: i64, nbf: Option<i64>| {
        let mut claims = serde_json::json!({"sub": "user-1", "iat": iat, "exp": now + 600});
        if let Some(nbf) = nbf {
            claims["nbf"] = nbf.into();
        }
        hs256(&claims)
    };
    assert!(tokens.verify(&token(now, Some(now))).is_ok());
    assert!(
        tokens.verify(&token(now, Some(now + within))).is_ok(),
        "clock skew within the leeway"
    );
    assert!(
        tokens.verify(&token(now + within, None)).is_ok(),
        "clock skew within the leeway"
    );
    assert!(invalid_reason(tokens.verify(&token(now, Some(now + 300)))).contains("not valid yet"));
    assert!(invalid_reason(tokens.verify(&token(now + 300, None))).contains("issued in the future"));
    assert!(invalid_reason(tokens.verify(&token(now + 300, Some(now)))).contains("issued in the future"));
}

#[tokio::test]
async fn a_secret_shorter_than_32_characters_is_refused() {
    let t = TestDatabase::sqlite().await;
    for mode in [JwtMode::Hs256, JwtMode::EdDsa] {
        let short = TokenConfig {
            mode,
            ..TokenConfig::new(Secret::new("0123456789abcdef0123456789abcde"))
        };
        let err = Tokens::load(&t.db, short).await.err();
        assert_eq!(err.as_ref().map(Error::code), Some("SECRET_TOO_SHORT"), "{mode:?}");
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("at least 32 characters"), "{message}");
        let enough = TokenConfig {
            mode,
            ..TokenConfig::new(Secret::new("0123456789abcdef0123456789abcdef"))
        };
        assert!(Tokens::load(&t.db, enough).await.is_ok(), "{mode:?}");
    }
}

test_on_both_databases! {
    async fn instances_that_start_together_on_an_empty_jwks_table_share_one_key(t: TestDatabase) {
        let location: tasktalk_core::db::Location = t.url.parse().unwrap_or_else(|e| panic!("{e}"));
        let mut starts = Vec::new();
        for _ in 0..6 {
            let location = location.clone();
            // A pool of its own: another process, as far as the database can tell.
            starts.push(async move {
                let db = Database::open(&location).await.unwrap_or_else(|e| panic!("{e}"));
                Tokens::load(&db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"))
            });
        }
        let instances = futures_util::future::join_all(starts).await;
        assert_eq!(count_rows(&t.db, r#""jwks""#).await, 1, "one key for all");
        let published = instances[0].jwks();
        for (n, instance) in instances.iter().enumerate() {
            assert_eq!(instance.jwks(), published, "instance {n} publishes the same key");
            let token = instance.issue(&user("u1")).unwrap_or_else(|e| panic!("{e}")).token;
            for other in &instances {
                assert!(other.verify(&token).is_ok(), "a token of instance {n} verifies everywhere");
            }
        }
    }

    async fn a_token_signed_by_a_key_added_after_start_verifies_after_one_reload(t: TestDatabase) {
        let (_, signed) = signed_up(&t).await;
        let first = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        let first_jwks = first.jwks();
        let chat = chatkit(&t, first);
        // The key expires (a rotation): the next instance creates a new one.
        on_db!(&t.db, pool => sqlx::query(r#"update "jwks" set "expiresAt" = $1"#)
            .bind(tasktalk_core::Timestamp::now() - TimeDelta::minutes(1))
            .execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{e}"));
        let second = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(second.jwks(), first_jwks, "a new key was created");
        let token = second.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        let list = serde_json::json!({"type": "threads.list", "params": {}});
        assert_eq!(chatkit_status(&chat, &token, list).await, 200, "the first instance reloads the keys and accepts it");
    }

    async fn with_parsed_keys_cached_each_token_is_still_checked_against_its_own_key(t: TestDatabase) {
        let (_, signed) = signed_up(&t).await;
        let first = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        let old = first.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        assert!(first.verify(&old).is_ok(), "the first key is parsed and kept");
        // A rotation: the key expires and the next instance creates another.
        on_db!(&t.db, pool => sqlx::query(r#"update "jwks" set "expiresAt" = $1"#)
            .bind(tasktalk_core::Timestamp::now() - TimeDelta::minutes(1))
            .execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{e}"));
        let second = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        let new = second.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        assert!(first.verify(&new).is_err(), "the first instance has not read the new key yet");
        assert!(first.verify_account(&new).await.is_ok(), "it reads the table again and accepts the new key");
        for instance in [&first, &second] {
            for token in [&old, &new, &old, &new] {
                // A cache that handed back the key parsed last would fail here.
                assert!(instance.verify(token).is_ok(), "tokens of both keys verify, in any order");
            }
        }
    }

    async fn a_flood_of_unknown_key_ids_reads_the_key_table_at_most_once_a_second(t: TestDatabase) {
        use std::io::{Read, Seek};

        let (_, signed) = signed_up(&t).await;
        let tokens = Tokens::load(&t.db, config(JwtMode::EdDsa)).await.unwrap_or_else(|e| panic!("{e}"));
        let genuine = tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        let (_, rest) = genuine.split_once('.').unwrap_or_default();
        let forged: Vec<String> = (0..300)
            .map(|n| format!("{}.{rest}", URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"EdDSA","typ":"JWT","kid":"made-up-{n}"}}"#))))
            .collect();
        let mut log = tempfile::tempfile().unwrap_or_else(|e| panic!("{e}"));
        let writer = log.try_clone().unwrap_or_else(|e| panic!("{e}"));
        let _guard = tracing::subscriber::set_default(tracing_subscriber::fmt().with_ansi(false).with_writer(writer).finish());

        let started = std::time::Instant::now();
        let results = futures_util::future::join_all(forged.iter().map(|token| tokens.verify_account(token))).await;
        let elapsed = started.elapsed();
        for result in results {
            assert!(invalid_reason(result).contains("unknown key"));
        }
        let mut text = String::new();
        log.rewind().and_then(|()| log.read_to_string(&mut text)).unwrap_or_else(|e| panic!("{e}"));
        let reloads = text.matches("signing keys reloaded").count();
        assert!(reloads >= 1, "an unknown key id reads the table again");
        assert!(reloads as u64 <= elapsed.as_secs() + 1, "{reloads} reads of the key table in {elapsed:?}");
        assert!(tokens.verify_account(&genuine).await.is_ok());
    }

    async fn a_deleted_accounts_token_is_refused_by_every_chatkit_request(t: TestDatabase) {
        let (accounts, signed) = signed_up(&t).await;
        let chat = chatkit(&t, Tokens::load(&t.db, config(JwtMode::Hs256)).await.unwrap_or_else(|e| panic!("{e}")));
        let token = Tokens::load(&t.db, config(JwtMode::Hs256)).await.unwrap_or_else(|e| panic!("{e}")).issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token;
        let list = serde_json::json!({"type": "threads.list", "params": {}});
        assert_eq!(chatkit_status(&chat, &token, list.clone()).await, 200);
        let input = serde_json::json!({"content": [{"type": "input_text", "text": "add milk"}], "attachments": [], "inference_options": {}});
        let create = serde_json::json!({"type": "threads.create", "params": {"input": input}});
        let chatkit::Response::Stream(mut stream) = chat.process(Some(&format!("Bearer {token}")), create.to_string().as_bytes()).await else {
            panic!("expected a stream")
        };
        let mut events = Vec::new();
        while let Some(event) = stream.next().await {
            events.push(serde_json::to_value(event).unwrap_or_default());
        }
        let thread_id = events[0]["thread"]["id"].clone();
        let user_item = events[1]["item"]["id"].clone();
        accounts.delete_user(&signed.user.id).await.unwrap_or_else(|e| panic!("{e}"));
        for body in [
            list, create,
            serde_json::json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}}),
            serde_json::json!({"type": "threads.add_user_message", "params": {"thread_id": thread_id, "input": input}}),
            serde_json::json!({"type": "threads.retry_after_item", "params": {"thread_id": thread_id, "item_id": user_item}}),
            serde_json::json!({"type": "threads.custom_action", "params": {"thread_id": thread_id, "action": {"type": "x"}}}),
            serde_json::json!({"type": "threads.list", "params": {"limit": "many"}}),
        ] {
            assert_eq!(chatkit_status(&chat, &token, body.clone()).await, 401, "{body}");
        }
        assert_eq!(count_rows(&t.db, "conversations").await, 0, "nothing was stored for the deleted account");
    }
}
