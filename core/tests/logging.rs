//! Log output never carries a password, a hash, a session token or a JWT.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo};
use tasktalk_core::token::{TokenConfig, Tokens};
use tasktalk_core::{Secret, on_db, test_on_both_databases};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        self.0
            .lock()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

test_on_both_databases! {
    async fn sign_in_logs_name_no_password_hash_or_token(t: TestDatabase) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);

        let password = "Very-Secret-Passw0rd!";
        let secret = "jwt-secret-that-must-not-leak-0123456789";
        let accounts = Accounts::new(t.db.clone(), AuthConfig::default());
        let tokens = Tokens::load(&t.db, TokenConfig::new(Secret::new(secret))).await.unwrap_or_else(|e| panic!("{e}"));
        accounts.sign_up("log@example.com", "Logan", password, &ClientInfo::default()).await.unwrap_or_else(|e| panic!("{e}"));
        let _ = accounts.sign_in("log@example.com", "Wrong-Passw0rd!", &ClientInfo::default()).await;
        let signed = accounts.sign_in("log@example.com", password, &ClientInfo::default()).await.unwrap_or_else(|e| panic!("{e}"));
        let (_, jwt) = tokens.issue_for_session(&accounts, &signed.session.token).await.unwrap_or_else(|e| panic!("{e}"));
        tokens.verify(&jwt.token).unwrap_or_else(|e| panic!("{e}"));

        let hash: String = on_db!(&t.db, pool => sqlx::query_scalar(r#"select "password" from "account""#).fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{e}"));
        let logs = captured.text();
        assert!(logs.contains("auth.sign_in"), "sign-in is traced:\n{logs}");
        assert!(logs.contains("signed in"), "{logs}");
        for (what, value) in [
            ("password", password),
            ("wrong password", "Wrong-Passw0rd!"),
            ("hash", hash.as_str()),
            ("hash salt", hash.split('$').nth(4).unwrap_or("unreachable-salt")),
            ("session token", signed.session.token.as_str()),
            ("JWT", jwt.token.as_str()),
            ("JWT secret", secret),
        ] {
            assert!(!logs.contains(value), "the log holds the {what}:\n{logs}");
        }
    }
}
