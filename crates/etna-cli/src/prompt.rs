//! Where secrets come from: a prompt without echo on a terminal, or one line
//! of stdin each; never an argument. And Ctrl-C at a prompt: exit 130, the
//! terminal as it was, and what was done so far.

use std::io::{BufRead, IsTerminal};
use std::sync::{Arc, Mutex};

use etna_client::Secret;

use crate::failure::{Exit, Failure};

/// Whether a person can be asked: stdin and stderr (where prompts go) are
/// terminals.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// One line of stdin, without its line ending. `what` names the value in
/// errors (never the value itself).
pub async fn stdin_line(what: &'static str) -> Result<Secret, Failure> {
    blocking(move || {
        let mut line = String::new();
        let read = std::io::stdin().lock().read_line(&mut line);
        let line = Secret::from(line);
        match read {
            Ok(0) => Err(Failure::new(
                Exit::Usage,
                format!("stdin ended before the {what}; give it as one line"),
            )),
            Ok(_) => {
                let value = line.expose().trim_end_matches(['\n', '\r']);
                if value.is_empty() {
                    return Err(Failure::new(
                        Exit::Usage,
                        format!("the {what} on stdin is empty"),
                    ));
                }
                Ok(Secret::from(value))
            }
            Err(e) => Err(Failure::new(
                Exit::Usage,
                format!("cannot read the {what} from stdin: {e}"),
            )),
        }
    })
    .await
}

/// Asks once, without echo.
pub async fn hidden(prompt: String) -> Result<Secret, Failure> {
    blocking(move || {
        dialoguer::Password::new()
            .with_prompt(prompt)
            .interact()
            .map(Secret::from)
            .map_err(prompt_failed)
    })
    .await
}

/// Asks twice, without echo; a mismatch is said and asked again.
pub async fn new_password() -> Result<Secret, Failure> {
    new_secret("New password", "The new password again").await
}

/// A new secret, asked twice without echo; a mismatch is said and asked
/// again.
pub async fn new_secret(prompt: &'static str, again: &'static str) -> Result<Secret, Failure> {
    blocking(move || {
        dialoguer::Password::new()
            .with_prompt(prompt)
            .with_confirmation(again, "The two entries differ; type it again")
            .interact()
            .map(Secret::from)
            .map_err(prompt_failed)
    })
    .await
}

/// Asks once, with echo: for what is not a secret.
pub async fn visible(prompt: String) -> Result<String, Failure> {
    blocking(move || {
        dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .interact_text()
            .map_err(prompt_failed)
    })
    .await
}

/// Asks a yes-or-no question on the terminal, no by default. It reads one
/// key in raw mode, where Ctrl-C arrives as a key rather than a signal: it
/// ends the command as at any other prompt (the terminal as it was, what
/// was done, exit 130).
pub async fn confirm(question: &'static str, progress: &Progress) -> Result<bool, Failure> {
    let answer = blocking(move || {
        match dialoguer::Confirm::new()
            .with_prompt(question)
            .default(false)
            .interact()
        {
            Ok(answer) => Ok(Some(answer)),
            Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => Ok(None),
            Err(e) => Err(prompt_failed(e)),
        }
    })
    .await?;
    match answer {
        Some(answer) => Ok(answer),
        None => {
            let _ = console::Term::stderr().show_cursor();
            eprintln!("\netna: interrupted; {}", progress.summary());
            std::process::exit(Exit::Interrupted as i32);
        }
    }
}

fn prompt_failed(error: dialoguer::Error) -> Failure {
    Failure::new(Exit::Usage, format!("cannot ask on the terminal: {error}"))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(Failure::new(
            Exit::Unexpected,
            format!("a prompt failed: {e}"),
        ))
    })
}

/// What a multi-step command has done, for the message of an interruption.
#[derive(Clone, Default)]
pub struct Progress(Arc<Mutex<Vec<String>>>);

impl Progress {
    pub fn done(&self, step: impl Into<String>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(step.into());
    }

    fn summary(&self) -> String {
        let done = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match done.is_empty() {
            true => "nothing was sent".to_owned(),
            false => format!("done so far: {}", done.join("; ")),
        }
    }
}

/// Runs `work`; Ctrl-C (or SIGTERM) while it runs puts the terminal back,
/// says what was done, and exits 130. The prompt's thread is still blocked
/// reading, so the process ends here rather than returning.
pub async fn interruptible<T>(
    progress: &Progress,
    work: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    let terminal = terminal::Saved::now();
    let interrupted = interrupt_signal()?;
    tokio::select! {
        result = work => result,
        () = interrupted => {
            terminal.restore();
            eprintln!("\netna: interrupted; {}", progress.summary());
            std::process::exit(Exit::Interrupted as i32);
        }
    }
}

/// The signal is registered now, before any prompt runs, so that no Ctrl-C
/// can reach the default handler (which would leave echo off).
pub(crate) fn interrupt_signal() -> Result<impl std::future::Future<Output = ()>, Failure> {
    let failed =
        |e: std::io::Error| Failure::new(Exit::Unexpected, format!("cannot wait for Ctrl-C: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).map_err(failed)?;
        let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        let _ = failed;
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(unix)]
mod terminal {
    /// The terminal settings of stdin, to put back after a prompt that turned
    /// echo off was cut short.
    pub struct Saved(Option<libc::termios>);

    impl Saved {
        pub fn now() -> Self {
            let mut settings = std::mem::MaybeUninit::<libc::termios>::uninit();
            // SAFETY: tcgetattr writes a termios into the pointer on success;
            // it is read only then.
            let read = unsafe { libc::tcgetattr(libc::STDIN_FILENO, settings.as_mut_ptr()) };
            Self((read == 0).then(|| unsafe { settings.assume_init() }))
        }

        pub fn restore(&self) {
            if let Some(settings) = &self.0 {
                // SAFETY: the settings came from tcgetattr on the same descriptor.
                unsafe {
                    libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, settings);
                }
            }
        }
    }
}

#[cfg(not(unix))]
mod terminal {
    pub struct Saved;

    impl Saved {
        pub fn now() -> Self {
            Saved
        }

        pub fn restore(&self) {}
    }
}
