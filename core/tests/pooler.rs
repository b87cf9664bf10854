//! PostgreSQL behind PgBouncer 1.18 in transaction mode (the test command
//! starts it), as a provider's pooled endpoint is.

use tasktalk_core::db::{Database, Location};
use tasktalk_core::tasks::Tasks;
use tasktalk_core::testing::{PooledDatabase, insert_users};

async fn open(url: &str) -> Database {
    let location: Location = url.parse().unwrap_or_else(|e| panic!("{e}"));
    Database::open(&location).await.unwrap_or_else(|e| panic!("{e}"))
}

/// Two clients of the pooler, one after the other, each adding a task: the
/// one server connection PgBouncer gives both sees the second client's
/// first statement name after the first client's. What each got.
async fn two_clients_add_a_task(url: &str) -> Vec<Result<(), String>> {
    let mut outcomes = Vec::new();
    for (n, client) in [open(url).await, open(url).await].into_iter().enumerate() {
        let added = Tasks::new(client.clone()).add("u1", &format!("task {n}"), None).await;
        outcomes.push(added.map(|_| ()).map_err(|e| e.to_string()));
        client.close().await;
    }
    outcomes
}

#[tokio::test]
async fn without_pgbouncer_true_the_poolers_error_names_the_parameter() {
    let pooled = PooledDatabase::new().await;
    let direct = open(&pooled.direct_url()).await;
    direct.migrate().await.unwrap_or_else(|e| panic!("{e}"));
    insert_users(&direct, &["u1"]).await;

    let outcomes = two_clients_add_a_task(&pooled.pooled_url(false)).await;
    let failure = outcomes
        .iter()
        .find_map(|outcome| outcome.clone().err())
        .unwrap_or_else(|| panic!("prepared statements went through the pooler unnoticed: {outcomes:?}"));
    assert!(failure.contains("pgbouncer=true"), "{failure}");

    let outcomes = two_clients_add_a_task(&pooled.pooled_url(true)).await;
    assert_eq!(
        outcomes,
        [Ok(()), Ok(())],
        "with the parameter, both clients' statements go through"
    );
    direct.close().await;
}
