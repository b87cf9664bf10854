//! Asking the person, outside the web view, before a credential goes to a
//! server they have not confirmed. Scripts in the main window (the ChatKit
//! loader comes from OpenAI's CDN) may call every command, `settings_set`
//! included; a native dialog opened from Rust is not something they can
//! answer. The web view has no permission for the dialog plugin.

use std::sync::Arc;

use tauri::{AppHandle, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};
use tokio::sync::oneshot;

/// Which stored credential a settings change would send to a new server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    /// What is sent, as a person names it: "your sign-in token (JWT)".
    pub credential: &'static str,
    /// Where to: an origin (`https://host:port`) or a `host:port`.
    pub destination: String,
}

type Ask = dyn Fn(&Confirmation, Box<dyn FnOnce(bool) + Send>) + Send + Sync;

/// Who answers the question: the native dialog (the default), or a stand-in
/// given to the app builder by tests.
#[derive(Clone, Default)]
pub struct Confirmer(Option<Arc<Ask>>);

impl std::fmt::Debug for Confirmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Confirmer(custom)"
        } else {
            "Confirmer(native dialog)"
        })
    }
}

impl Confirmer {
    /// Answers with `answer` instead of asking the person (tests).
    pub fn answering(answer: impl Fn(&Confirmation) -> bool + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(move |question, reply| reply(answer(question)))))
    }

    /// Whether this is the native dialog, which needs the dialog plugin.
    pub(crate) fn is_native(&self) -> bool {
        self.0.is_none()
    }

    /// The question as the app asks it.
    pub(crate) fn resolve<R: Runtime>(self, app: &AppHandle<R>) -> Asker {
        let app = app.clone();
        Asker(
            self.0
                .unwrap_or_else(|| Arc::new(move |question, reply| native_dialog(&app, question, reply))),
        )
    }
}

/// The resolved question, kept in the app state.
#[derive(Clone)]
pub struct Asker(Arc<Ask>);

impl std::fmt::Debug for Asker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Asker")
    }
}

impl Asker {
    /// True only if the person agreed; closing the dialog is a no.
    pub async fn confirm(&self, question: &Confirmation) -> bool {
        let (tx, rx) = oneshot::channel();
        (self.0)(
            question,
            Box::new(move |yes| {
                let _ = tx.send(yes);
            }),
        );
        rx.await.unwrap_or(false)
    }
}

/// Shown without blocking: the answer comes back through `reply`, so no
/// thread waits on the event loop that draws the dialog.
fn native_dialog<R: Runtime>(app: &AppHandle<R>, question: &Confirmation, reply: Box<dyn FnOnce(bool) + Send>) {
    let Confirmation {
        credential,
        destination,
    } = question;
    app.dialog()
        .message(format!(
            "The settings were changed to send {credential} to a server it has not been sent to before:\n\n\
             {destination}\n\n\
             Allow this only if you made this change yourself."
        ))
        .title("Send a credential to a new server?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Allow".into(),
            "Keep the old settings".into(),
        ))
        .show(reply);
}
