//! Asking the person outside the web view. Scripts in the main window (the
//! ChatKit loader comes from OpenAI's CDN) may call every command; a native
//! dialog opened from Rust is not something they can answer. So a
//! credential goes to a new server only after a yes in a native dialog, and
//! the file an export writes or an import reads is the one the person
//! picked in a native file dialog: never a path from the web view. The web
//! view has no permission for the dialog plugin.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, FilePath, MessageDialogButtons, MessageDialogKind};
use tokio::sync::oneshot;

/// A question a native dialog asks.
pub trait Question: Send + Sync + 'static {
    /// What the person answered; `Default` when the dialog is closed or cannot show.
    type Answer: Default + Send + 'static;

    /// Shows the dialog without blocking: the answer comes back through
    /// `reply`, so no thread waits on the event loop that draws it.
    fn show<R: Runtime>(&self, app: &AppHandle<R>, reply: Box<dyn FnOnce(Self::Answer) + Send>);
}

/// Which stored credential a settings change would send to a new server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirmation {
    /// What is sent, as a person names it: "your sign-in token (JWT)".
    pub credential: &'static str,
    /// Where to: an origin (`https://host:port`) or a `host:port`.
    pub destination: String,
}

impl Question for Confirmation {
    /// True only if the person agreed; closing the dialog is a no.
    type Answer = bool;

    fn show<R: Runtime>(&self, app: &AppHandle<R>, reply: Box<dyn FnOnce(bool) + Send>) {
        let Confirmation {
            credential,
            destination,
        } = self;
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
}

/// The kinds of file the app writes and reads, with their dialog filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Json,
    Markdown,
}

impl FileKind {
    /// The extension a new file of this kind gets.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Json => "json",
            FileKind::Markdown => "md",
        }
    }

    fn filter(self) -> (&'static str, &'static [&'static str]) {
        match self {
            FileKind::Json => ("Tasktalk export (JSON)", &["json"]),
            FileKind::Markdown => ("Markdown", &["md", "markdown"]),
        }
    }
}

/// A file to pick: where to save a new one (with a suggested name), or which to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChoice {
    Save {
        title: &'static str,
        kind: FileKind,
        suggested_name: String,
    },
    Open {
        title: &'static str,
        kind: FileKind,
    },
}

impl Question for FileChoice {
    /// The path picked; `None` when the dialog is closed.
    type Answer = Option<PathBuf>;

    fn show<R: Runtime>(&self, app: &AppHandle<R>, reply: Box<dyn FnOnce(Option<PathBuf>) + Send>) {
        let mut dialog = app.dialog().file();
        // Over the app's window, as its child: modal, and never lost behind it.
        if let Some(window) = app.get_webview_window("main") {
            dialog = dialog.set_parent(&window);
        }
        // A portal can answer with a URL the app cannot write to: that is no answer.
        let reply = move |picked: Option<FilePath>| reply(picked.and_then(|p| p.into_path().ok()));
        match self {
            FileChoice::Save {
                title,
                kind,
                suggested_name,
            } => {
                let (name, extensions) = kind.filter();
                dialog
                    .set_title(*title)
                    .add_filter(name, extensions)
                    .set_file_name(suggested_name)
                    .save_file(reply);
            }
            FileChoice::Open { title, kind } => {
                let (name, extensions) = kind.filter();
                dialog.set_title(*title).add_filter(name, extensions).pick_file(reply);
            }
        }
    }
}

type Answering<Q> = dyn Fn(&Q, Box<dyn FnOnce(<Q as Question>::Answer) + Send>) + Send + Sync;

/// Who answers a question: the native dialog (the default), or a stand-in
/// given to the app builder by tests.
pub struct Dialog<Q: Question>(Option<Arc<Answering<Q>>>);

/// Who answers "send this credential to a new server?".
pub type Confirmer = Dialog<Confirmation>;
/// Who picks the files exports write and imports read.
pub type Picker = Dialog<FileChoice>;

impl<Q: Question> Default for Dialog<Q> {
    fn default() -> Self {
        Self(None)
    }
}

impl<Q: Question> Clone for Dialog<Q> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<Q: Question> std::fmt::Debug for Dialog<Q> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Dialog(custom)"
        } else {
            "Dialog(native)"
        })
    }
}

impl<Q: Question> Dialog<Q> {
    /// Answers with `answer` instead of asking the person (tests).
    pub fn answering(answer: impl Fn(&Q) -> Q::Answer + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(move |question, reply| reply(answer(question)))))
    }

    /// Whether this is the native dialog, which needs the dialog plugin.
    pub(crate) fn is_native(&self) -> bool {
        self.0.is_none()
    }

    /// The question as the app asks it.
    pub(crate) fn resolve<R: Runtime>(self, app: &AppHandle<R>) -> Asker<Q> {
        let app = app.clone();
        Asker(
            self.0
                .unwrap_or_else(|| Arc::new(move |question: &Q, reply| question.show(&app, reply))),
        )
    }
}

/// A resolved question, kept in the app state.
pub struct Asker<Q: Question>(Arc<Answering<Q>>);

impl<Q: Question> std::fmt::Debug for Asker<Q> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Asker")
    }
}

impl<Q: Question> Asker<Q> {
    pub async fn ask(&self, question: &Q) -> Q::Answer {
        let (tx, rx) = oneshot::channel();
        (self.0)(
            question,
            Box::new(move |answer| {
                let _ = tx.send(answer);
            }),
        );
        rx.await.unwrap_or_default()
    }
}
