//! Sign-up, sign-in, sessions, throttling and account deletion, on both databases.

use chrono::TimeDelta;
use tasktalk_core::auth::{Accounts, AuthConfig, ClientInfo, Error, PasswordScheme, SignedIn, verify_password};
use tasktalk_core::db::Database;
use tasktalk_core::tasks::{Page, StatusFilter, Tasks};
use tasktalk_core::testing::TestDatabase;
use tasktalk_core::{Timestamp, on_db, test_on_both_databases};

const PASSWORD: &str = "correct horse battery";

fn accounts(t: &TestDatabase) -> Accounts {
    Accounts::new(t.db.clone(), AuthConfig::default())
}

async fn sign_up(accounts: &Accounts, email: &str) -> SignedIn {
    accounts
        .sign_up(email, "Test User", PASSWORD, &ClientInfo::default())
        .await
        .unwrap_or_else(|e| panic!("sign up {email}: {e}"))
}

async fn stored_hash(db: &Database, user_id: &str) -> String {
    on_db!(db, pool => sqlx::query_scalar(r#"select "password" from "account" where "userId" = $1"#)
        .bind(user_id)
        .fetch_one(pool)
        .await)
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Moves a session's clock: as if it was last refreshed `age` ago.
async fn age_session(db: &Database, token: &str, age: TimeDelta, ttl: TimeDelta) {
    let updated = Timestamp::now() - age;
    on_db!(db, pool => sqlx::query(r#"update "session" set "updatedAt" = $1, "expiresAt" = $2 where "token" = $3"#)
        .bind(updated)
        .bind(updated + ttl)
        .bind(token)
        .execute(pool)
        .await
        .map(|_| ()))
    .unwrap_or_else(|e| panic!("{e}"));
}

test_on_both_databases! {
    async fn sign_up_creates_a_better_auth_user_account_and_session(t: TestDatabase) {
        let accounts = accounts(&t);
        let signed = sign_up(&accounts, "  Alice@Example.COM ").await;
        assert_eq!(signed.user.email, "alice@example.com");
        assert_eq!(signed.user.name, "Test User");
        assert!(!signed.user.email_verified);
        assert_eq!(signed.user.id.len(), 32);
        assert_eq!(signed.session.token.len(), 32);
        assert_eq!(signed.session.user_id, signed.user.id);
        let ttl = signed.session.expires_at - signed.session.created_at;
        assert_eq!(ttl, TimeDelta::days(7));
        let hash = stored_hash(&t.db, &signed.user.id).await;
        assert!(hash.starts_with("$argon2id$"), "new hashes are argon2id");
        assert!(verify_password(PASSWORD, &hash));
        let resolved = accounts.session(&signed.session.token).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resolved.user, signed.user);
    }

    async fn the_scrypt_setting_writes_better_auths_format(t: TestDatabase) {
        let config = AuthConfig { password_scheme: PasswordScheme::Scrypt, ..AuthConfig::default() };
        let accounts = Accounts::new(t.db.clone(), config);
        let user = accounts.create_user("bob@example.com", "Bob", PASSWORD).await.unwrap_or_else(|e| panic!("{e}"));
        let hash = stored_hash(&t.db, &user.id).await;
        let (salt, key) = hash.split_once(':').unwrap_or_default();
        assert_eq!((salt.len(), key.len()), (32, 128), "{hash}");
        assert!(accounts.sign_in("bob@example.com", PASSWORD, &ClientInfo::default()).await.is_ok());
    }

    async fn bad_sign_up_input_is_refused_and_writes_nothing(t: TestDatabase) {
        let accounts = accounts(&t);
        let client = ClientInfo::default();
        assert!(matches!(accounts.sign_up("not-an-email", "A", PASSWORD, &client).await, Err(Error::InvalidEmail)));
        assert!(matches!(accounts.sign_up("a@example.com", "  ", PASSWORD, &client).await, Err(Error::InvalidName)));
        assert!(matches!(accounts.sign_up("a@example.com", "A", "short", &client).await, Err(Error::InvalidPassword)));
        assert!(matches!(accounts.sign_up("a@example.com", "A", &"x".repeat(129), &client).await, Err(Error::InvalidPassword)));
        assert!(accounts.list_users().await.unwrap_or_else(|e| panic!("{e}")).is_empty());
    }

    async fn a_duplicate_sign_up_gets_a_clear_message(t: TestDatabase) {
        let accounts = accounts(&t);
        sign_up(&accounts, "carol@example.com").await;
        let err = accounts.sign_up("CAROL@example.com", "Other", "another password", &ClientInfo::default()).await.err();
        assert!(matches!(err, Some(Error::EmailTaken)), "{err:?}");
        assert_eq!(err.map(|e| e.to_string()).unwrap_or_default(), "An account with this email already exists. Sign in instead.");
        assert_eq!(accounts.list_users().await.map(|u| u.len()).unwrap_or_default(), 1);
    }

    async fn sign_in_checks_the_password_and_opens_a_new_session(t: TestDatabase) {
        let accounts = accounts(&t);
        let first = sign_up(&accounts, "dave@example.com").await;
        let client = ClientInfo { ip_address: Some("127.0.0.1".into()), user_agent: Some("tests".into()) };
        let second = accounts.sign_in("Dave@Example.com ", PASSWORD, &client).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(second.user.id, first.user.id);
        assert_ne!(second.session.token, first.session.token);
        assert_eq!(second.session.user_agent.as_deref(), Some("tests"));
        for (email, password) in [("dave@example.com", "wrong password"), ("nobody@example.com", PASSWORD), ("not an email", PASSWORD)] {
            let err = accounts.sign_in(email, password, &client).await.err();
            assert!(matches!(err, Some(Error::InvalidCredentials)), "{email}: {err:?}");
        }
    }

    async fn the_fifth_failure_locks_the_email(t: TestDatabase) {
        let accounts = accounts(&t);
        sign_up(&accounts, "erin@example.com").await;
        sign_up(&accounts, "frank@example.com").await;
        let client = ClientInfo::default();
        for _ in 0..5 {
            let err = accounts.sign_in("erin@example.com", "wrong password", &client).await.err();
            assert!(matches!(err, Some(Error::InvalidCredentials)), "{err:?}");
        }
        // The sixth attempt is refused, as the README says ("after 5").
        let err = accounts.sign_in("erin@example.com", "wrong password", &client).await.err();
        assert!(matches!(err, Some(Error::Throttled { .. })), "{err:?}");
        // Locked now: even the right password is refused, with the wait.
        let err = accounts.sign_in("erin@example.com", PASSWORD, &client).await.err();
        let Some(Error::Throttled { retry_after_secs }) = err else { panic!("expected throttling, got {err:?}") };
        assert!((1..=30).contains(&retry_after_secs), "{retry_after_secs}");
        let message = Error::Throttled { retry_after_secs }.to_string();
        assert!(message.contains(&format!("Try again in {retry_after_secs} s")), "{message}");
        // Another email is not affected, and unknown emails are throttled alike.
        assert!(accounts.sign_in("frank@example.com", PASSWORD, &client).await.is_ok());
        for _ in 0..5 {
            let _ = accounts.sign_in("ghost@example.com", "whatever1", &client).await;
        }
        assert!(matches!(accounts.sign_in("ghost@example.com", "whatever1", &client).await, Err(Error::Throttled { .. })));
    }

    async fn a_lock_expires_and_a_success_clears_the_count(t: TestDatabase) {
        let mut config = AuthConfig::default();
        // The lock runs from the 5th attempt's reservation, before its (slow)
        // check: long enough to outlast that check on a busy machine.
        config.throttle.first_lock = TimeDelta::seconds(2);
        let accounts = Accounts::new(t.db.clone(), config);
        sign_up(&accounts, "gina@example.com").await;
        let client = ClientInfo::default();
        for _ in 0..5 {
            let _ = accounts.sign_in("gina@example.com", "wrong password", &client).await;
        }
        let err = accounts.sign_in("gina@example.com", PASSWORD, &client).await.err();
        let Some(Error::Throttled { retry_after_secs }) = err else { panic!("expected throttling, got {err:?}") };
        tokio::time::sleep(std::time::Duration::from_secs(retry_after_secs)).await;
        assert!(accounts.sign_in("gina@example.com", PASSWORD, &client).await.is_ok());
        // The success reset the count: five more failures are free again.
        for _ in 0..5 {
            let err = accounts.sign_in("gina@example.com", "wrong password", &client).await.err();
            assert!(matches!(err, Some(Error::InvalidCredentials)), "{err:?}");
        }
    }

    async fn forty_concurrent_wrong_passwords_are_checked_at_most_five_times(t: TestDatabase) {
        // Two instances on one database, as two servers sharing it would be.
        let location = t.url.parse().unwrap_or_else(|e| panic!("{e}"));
        let other_db = Database::open(&location).await.unwrap_or_else(|e| panic!("{e}"));
        let instances = [accounts(&t), Accounts::new(other_db, AuthConfig::default())];
        sign_up(&instances[0], "kim@example.com").await;
        let mut attempts = tokio::task::JoinSet::new();
        for i in 0..40 {
            let accounts = instances[i % 2].clone();
            attempts.spawn(async move { accounts.sign_in("kim@example.com", "wrong password", &ClientInfo::default()).await });
        }
        let (mut checked, mut throttled) = (0, 0);
        while let Some(outcome) = attempts.join_next().await {
            match outcome.unwrap_or_else(|e| panic!("{e}")) {
                Err(Error::InvalidCredentials) => checked += 1,
                Err(Error::Throttled { .. }) => throttled += 1,
                other => panic!("unexpected outcome {other:?}"),
            }
        }
        assert_eq!((checked, throttled), (5, 35), "only the five free attempts reach the password check");
        // The reservations became failures: the right password is refused too.
        let err = instances[1].sign_in("kim@example.com", PASSWORD, &ClientInfo::default()).await.err();
        assert!(matches!(err, Some(Error::Throttled { .. })), "{err:?}");
    }

    async fn a_huge_user_agent_and_address_are_stored_truncated(t: TestDatabase) {
        let accounts = accounts(&t);
        sign_up(&accounts, "lou@example.com").await;
        let client = ClientInfo { ip_address: Some("1".repeat(10_000)), user_agent: Some("é".repeat(100_000)) };
        let signed = accounts.sign_in("lou@example.com", PASSWORD, &client).await.unwrap_or_else(|e| panic!("{e}"));
        let (ip, agent): (String, String) = on_db!(&t.db, pool => sqlx::query_as(r#"select "ipAddress", "userAgent" from "session" where "token" = $1"#)
            .bind(&signed.session.token)
            .fetch_one(pool)
            .await)
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((agent.chars().count(), agent.chars().all(|c| c == 'é')), (512, true), "cut at 512 characters, on a character boundary");
        assert_eq!(ip.len(), 64);
        assert_eq!(signed.session.user_agent.as_deref(), Some(agent.as_str()), "the returned session says what was stored");
    }

    async fn failures_older_than_the_window_are_forgotten(t: TestDatabase) {
        // Every email tried leaves a row; the stale ones must not pile up.
        let accounts = accounts(&t);
        for n in 0..3 {
            let _ = accounts.sign_in(&format!("gone{n}@example.com"), "wrong password", &ClientInfo::default()).await;
        }
        let long_ago = Timestamp::now() - TimeDelta::minutes(16);
        on_db!(&t.db, pool => sqlx::query("update tasktalk_sign_in_throttle set last_failure_at = $1 where email <> 'gone2@example.com'")
            .bind(long_ago)
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap_or_else(|e| panic!("{e}"));
        let _ = accounts.sign_in("new@example.com", "wrong password", &ClientInfo::default()).await;
        let left: Vec<String> = on_db!(&t.db, pool => sqlx::query_scalar("select email from tasktalk_sign_in_throttle order by email")
            .fetch_all(pool)
            .await)
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(left, ["gone2@example.com", "new@example.com"]);
    }

    async fn a_session_slides_when_used_a_day_after_its_last_refresh(t: TestDatabase) {
        let accounts = accounts(&t);
        let signed = sign_up(&accounts, "hank@example.com").await;
        let ttl = TimeDelta::days(7);
        // Used 2 hours after the last refresh: unchanged.
        age_session(&t.db, &signed.session.token, TimeDelta::hours(2), ttl).await;
        let before = accounts.session(&signed.session.token).await.unwrap_or_else(|e| panic!("{e}")).session;
        assert!(before.expires_at - Timestamp::now() < ttl - TimeDelta::hours(1));
        // Used 2 days after: extended to a full week from now.
        age_session(&t.db, &signed.session.token, TimeDelta::days(2), ttl).await;
        let after = accounts.session(&signed.session.token).await.unwrap_or_else(|e| panic!("{e}")).session;
        assert!(after.expires_at - Timestamp::now() > ttl - TimeDelta::minutes(1));
        let again = accounts.session(&signed.session.token).await.unwrap_or_else(|e| panic!("{e}")).session;
        assert_eq!(again.expires_at, after.expires_at, "persisted");
    }

    async fn an_expired_session_is_refused_and_removed(t: TestDatabase) {
        let accounts = accounts(&t);
        let signed = sign_up(&accounts, "ivy@example.com").await;
        age_session(&t.db, &signed.session.token, TimeDelta::days(8), TimeDelta::days(7)).await;
        assert!(matches!(accounts.session(&signed.session.token).await, Err(Error::SessionInvalid)));
        let left: i64 = on_db!(&t.db, pool => sqlx::query_scalar(r#"select count(*) from "session""#).fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(left, 0);
    }

    async fn sign_out_ends_only_that_session(t: TestDatabase) {
        let accounts = accounts(&t);
        let alice = sign_up(&accounts, "alice@example.com").await;
        let alice_laptop = accounts.sign_in("alice@example.com", PASSWORD, &ClientInfo::default()).await.unwrap_or_else(|e| panic!("{e}"));
        let bob = sign_up(&accounts, "bob@example.com").await;
        accounts.sign_out(&alice.session.token).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(accounts.session(&alice.session.token).await, Err(Error::SessionInvalid)));
        assert!(accounts.session(&alice_laptop.session.token).await.is_ok());
        assert_eq!(accounts.session(&bob.session.token).await.map(|s| s.user.id).ok(), Some(bob.user.id));
        accounts.sign_out(&alice.session.token).await.unwrap_or_else(|e| panic!("signing out twice is fine: {e}"));
        assert!(matches!(accounts.session("unknown-token").await, Err(Error::SessionInvalid)));
    }

    async fn deleting_an_account_removes_everything_of_that_user_only(t: TestDatabase) {
        let accounts = accounts(&t);
        let tasks = Tasks::new(t.db.clone());
        let alice = sign_up(&accounts, "alice@example.com").await;
        let bob = sign_up(&accounts, "bob@example.com").await;
        for user in [&alice.user.id, &bob.user.id] {
            tasks.add(user, "a task", None).await.unwrap_or_else(|e| panic!("{e}"));
            on_db!(&t.db, pool => async {
                let id: i32 = sqlx::query_scalar("insert into conversations (user_id, external_id, title, created_at, updated_at) values ($1, $2, 't', $3, $3) returning id")
                    .bind(user).bind(format!("thr_{user}")).bind(Timestamp::now()).fetch_one(pool).await?;
                sqlx::query("insert into messages (conversation_id, user_id, role, content, created_at) values ($1, $2, 'user', 'hi', $3)")
                    .bind(id).bind(user).bind(Timestamp::now()).execute(pool).await?;
                Ok::<_, sqlx::Error>(())
            }.await).unwrap_or_else(|e| panic!("{e}"));
        }

        accounts.delete_user(&alice.user.id).await.unwrap_or_else(|e| panic!("{e}"));

        assert!(matches!(accounts.session(&alice.session.token).await, Err(Error::SessionInvalid)));
        assert!(matches!(accounts.sign_in("alice@example.com", PASSWORD, &ClientInfo::default()).await, Err(Error::InvalidCredentials)));
        for (table, column) in [("tasks_phaseiii", "user_id"), ("conversations", "user_id"), ("messages", "user_id"), (r#""session""#, r#""userId""#), (r#""account""#, r#""userId""#)] {
            let sql = format!("select count(*) from {table} where {column} = $1");
            let (alice_rows, bob_rows): (i64, i64) = on_db!(&t.db, pool => async {
                let a = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(&alice.user.id).fetch_one(pool).await?;
                let b = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(&bob.user.id).fetch_one(pool).await?;
                Ok::<_, sqlx::Error>((a, b))
            }.await).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(alice_rows, 0, "{table} keeps nothing of the deleted user");
            assert_eq!(bob_rows, 1, "{table} keeps the other user's row");
        }
        assert_eq!(tasks.list(&bob.user.id, StatusFilter::All, Page::default()).await.map(|t| t.len()).ok(), Some(1));
        assert!(matches!(accounts.delete_user(&alice.user.id).await, Err(Error::UserNotFound)));
    }

    async fn users_are_found_by_email_and_listed_oldest_first(t: TestDatabase) {
        let accounts = accounts(&t);
        let a = sign_up(&accounts, "first@example.com").await;
        let b = sign_up(&accounts, "second@example.com").await;
        let listed: Vec<String> = accounts.list_users().await.unwrap_or_default().into_iter().map(|u| u.id).collect();
        assert_eq!(listed, [a.user.id.clone(), b.user.id]);
        assert_eq!(accounts.user_by_email("FIRST@example.com").await.ok().map(|u| u.id), Some(a.user.id));
        assert!(matches!(accounts.user_by_email("none@example.com").await, Err(Error::UserNotFound)));
    }
}
