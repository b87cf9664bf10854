//! The services every transport serves, wired once: tasks, the assistant
//! over them, the ChatKit back end, accounts and tokens, all on one database.

use std::sync::Arc;

use crate::agent::{Agent, Provider};
use crate::auth::{Accounts, AuthConfig};
use crate::calendar::Calendar;
use crate::chatkit::ChatKit;
use crate::db::Database;
use crate::tasks::Tasks;
use crate::token::Tokens;

#[derive(Clone, Debug)]
pub struct Services {
    pub db: Database,
    pub accounts: Accounts,
    pub tokens: Arc<Tokens>,
    pub tasks: Tasks,
    pub chatkit: ChatKit,
}

impl Services {
    /// `tokens` were loaded from `db` (`Tokens::load`), which is where their
    /// failures belong; `provider` answers in the chat (built from
    /// `ProviderSettings` holding the same `calendar`); `calendar` says what
    /// today and overdue mean.
    pub fn new(
        db: Database,
        tokens: Tokens,
        auth: AuthConfig,
        provider: Arc<dyn Provider>,
        calendar: Calendar,
    ) -> Self {
        let tokens = Arc::new(tokens);
        let tasks = Tasks::with_calendar(db.clone(), calendar);
        let agent = Agent::new(provider, tasks.clone());
        Self {
            accounts: Accounts::new(db.clone(), auth),
            chatkit: ChatKit::new(db.clone(), Arc::clone(&tokens), agent),
            tokens,
            tasks,
            db,
        }
    }
}
