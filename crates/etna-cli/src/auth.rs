//! `etna auth`: sign in once (`login`), see the session (`status`), forget it
//! (`logout`), hand its token to a script (`token`). The sign-in flow is a
//! convenience for the whole flow, like the guided reset: one or two
//! factors, the PIN, an expired password replaced on the way. Every secret
//! comes from a prompt without echo or from stdin, never from an argument.

use std::time::SystemTime;

use clap::{Args, Subcommand};
use etna_client::{Error, Operation, Secret, Session, SignIn};

use crate::connect::{Target, connect_client};
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::prompt::{self, Progress, interruptible};
use crate::sessions::{self, Record, Sessions, StoreKind};

/// `etna auth`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    pub command: AuthCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Sign in and keep the session for the next commands: in the OS keyring,
    /// or with --store file in the session file. Asks for the
    /// password (and, when the API wants them, the verification code and
    /// the PIN) without echo, or reads them from stdin.
    Login(LoginArgs),
    /// Show the stored sessions: deployment, login, issued, expiry, where
    /// the token is kept; never the token. Exits 0 when the session for this
    /// deployment (or the current one) is live, 6 otherwise.
    Status(SelectArgs),
    /// Forget a session on this machine. The API has no logout: the token
    /// stays valid on the server until it expires.
    Logout(SelectArgs),
    /// Print the session token on stdout, for a script (the one command
    /// that shows it).
    Token(SelectArgs),
}

/// Options of `auth login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The trader's login.
    #[arg(long, value_name = "LOGIN")]
    pub user: String,
    /// Read the password as one line of stdin; the next lines give what the
    /// API asks for next (verification code, PIN, a new password), in order.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the verification code as one line of stdin (after the password,
    /// when that comes from stdin too).
    #[arg(long)]
    pub code_stdin: bool,
    #[cfg_attr(
        unix,
        doc = "Where to keep the session: the OS keyring (default; an error when none answers) or a file only you can read. Also ETNA_SESSION_STORE."
    )]
    #[cfg_attr(
        not(unix),
        doc = "Where to keep the session: the OS keyring (default; an error when none answers) or a file, which on this platform etna can neither make readable by you only nor check. Also ETNA_SESSION_STORE."
    )]
    #[arg(long, value_enum, value_name = "STORE")]
    pub store: Option<StoreKind>,
    /// When the trader has no PIN yet: where to write the security images
    /// to choose from (default: a new temporary directory, named).
    #[arg(long, value_name = "DIR")]
    pub images_dir: Option<std::path::PathBuf>,
}

/// Which stored session: the deployment of --base-url (any, without it) and
/// this login (the current one, without it).
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// The trader's login.
    #[arg(long, value_name = "LOGIN")]
    pub user: Option<String>,
}

pub async fn run(cli: &Options, args: &AuthArgs) -> Result<(), Failure> {
    match &args.command {
        AuthCommand::Login(login) => {
            let progress = Progress::default();
            interruptible(&progress, self::login(cli, login, &progress)).await
        }
        AuthCommand::Status(select) => status(cli, select),
        AuthCommand::Logout(select) => logout(cli, select),
        AuthCommand::Token(select) => token(cli, select),
    }
}

async fn login(cli: &Options, args: &LoginArgs, progress: &Progress) -> Result<(), Failure> {
    if args.user.trim().is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            "--user is empty: give the trader's login",
        ));
    }
    if !args.password_stdin && !prompt::interactive() {
        return Err(Failure::new(
            Exit::Usage,
            "no terminal to ask for the password: give it as one line on stdin with --password-stdin",
        ));
    }
    // Where the session will go is settled before anything is sent: a
    // keyring that does not answer, or a damaged session file, fails now.
    let mut store = match cli.mock {
        true => None,
        false => Some((sessions::choose(args.store)?, Sessions::open()?)),
    };
    let target = connect_client(cli).await?;
    let outcome = sign_in(&target, args, progress).await;
    let base_url = target.base_url.clone();
    let is_mock = target.mock.is_some();
    target.finish().await;
    let session = outcome?;
    // Kept before "Signed in" is printed: a store that fails now (a lock
    // another command holds, a full disk) is not reported after a success.
    if let Some((kind, sessions)) = store.take() {
        progress.done(format!(
            "signed in as {} (the session is kept only if `etna auth status` shows it)",
            args.user
        ));
        let kept = keep(sessions, &base_url, &args.user, &session, kind)
            .await
            .map_err(|f| {
                Failure::new(
                    f.exit,
                    format!(
                        "signed in as {} to {base_url}, but the session was not kept: {}",
                        args.user, f.message
                    ),
                )
            })?;
        store = Some((kind, kept));
    }
    let until = match session.expires() {
        Some(at) => format!("until {}", time(at)),
        None => "(its lifetime is not documented)".to_owned(),
    };
    crate::output::print_line(&format!(
        "Signed in as {} to {base_url} {until}.",
        args.user
    ))?;
    match &store {
        Some((kind, sessions)) => eprintln!(
            "etna: the session is kept ({}); `etna auth status` shows it, `etna auth logout` forgets it",
            sessions::describe_store(*kind, sessions.path())
        ),
        None if is_mock => eprintln!(
            "etna: with --mock nothing is stored: the mock ends with this command (use `etna mock serve` and --base-url to keep a session)"
        ),
        None => {}
    }
    Ok(())
}

/// Saves the session off the runtime's only thread: while it waits for the
/// lock of the session file (or for a slow keyring), Ctrl-C still ends the
/// command.
async fn keep(
    mut sessions: Sessions,
    base_url: &str,
    user: &str,
    session: &Session,
    kind: StoreKind,
) -> Result<Sessions, Failure> {
    let (base_url, user, session) = (base_url.to_owned(), user.to_owned(), session.clone());
    tokio::task::spawn_blocking(move || {
        sessions
            .save(&base_url, &user, &session, kind)
            .map(|()| sessions)
    })
    .await
    .unwrap_or_else(|e| {
        Err(Failure::new(
            Exit::Unexpected,
            format!("saving the session failed: {e}"),
        ))
    })
}

/// Where the secrets of a sign-in come from.
struct Secrets<'a> {
    args: &'a LoginArgs,
    mock: Option<&'a etna_mock::MockServer>,
}

impl Secrets<'_> {
    async fn ask(
        &self,
        from_stdin: bool,
        what: &'static str,
        prompt: &str,
    ) -> Result<Secret, Failure> {
        match from_stdin {
            true => prompt::stdin_line(what).await,
            false if prompt::interactive() => prompt::hidden(prompt.to_owned()).await,
            false => Err(Failure::new(
                Exit::Usage,
                format!(
                    "no terminal to ask for the {what}: give it on stdin (see `etna auth login --help`)"
                ),
            )),
        }
    }

    async fn password(&self) -> Result<Secret, Failure> {
        self.ask(self.args.password_stdin, "password", "Password")
            .await
    }

    async fn code(&self) -> Result<Secret, Failure> {
        if let Some(server) = self.mock {
            let code = server.last_code_for(&self.args.user).ok_or_else(|| {
                Failure::new(
                    Exit::Unexpected,
                    "the mock sent no verification code to this account",
                )
            })?;
            eprintln!("etna: took the code from the mock's outbox (the trader's email or SMS)");
            return Ok(Secret::from(code));
        }
        let stdin = self.args.code_stdin || self.args.password_stdin;
        self.ask(
            stdin,
            "verification code",
            "Verification code (email or SMS)",
        )
        .await
    }

    async fn pin(&self) -> Result<Secret, Failure> {
        self.ask(self.args.password_stdin, "PIN", "PIN").await
    }

    async fn new_password(&self) -> Result<Secret, Failure> {
        match self.args.password_stdin {
            true => prompt::stdin_line("new password").await,
            false => prompt::new_password().await,
        }
    }
}

/// Signs in, answering what the API asks for, until it gives a session.
async fn sign_in(
    target: &Target<etna_client::Client>,
    args: &LoginArgs,
    progress: &Progress,
) -> Result<Session, Failure> {
    let client = &target.client;
    let secrets = Secrets {
        args,
        mock: target.mock.as_ref(),
    };
    let user = args.user.as_str();
    let fail = |e: Error| failure::from_call(&e, &target.base_url);
    let mut password = secrets.password().await?;
    let mut state = client.sign_in(user, &password).await.map_err(fail)?;
    let mut replaced = false;
    let mut pin_set = false;
    loop {
        state = match state {
            SignIn::SignedIn(session) => return Ok(session),
            SignIn::CodeNeeded => {
                eprintln!("etna: the API sent the trader a verification code (email or SMS)");
                let code = secrets.code().await?;
                client.sign_in_with_code(user, &password, &code).await
            }
            SignIn::PinNeeded => {
                let pin = secrets.pin().await?;
                client.sign_in_with_pin(user, &password, &pin).await
            }
            SignIn::PinNotSet if !pin_set => {
                eprintln!("etna: the trader has no PIN yet (`PIN code is not init`); set one now");
                let answers = crate::pin_setup::Answers {
                    from_stdin: args.password_stdin,
                    images_dir: args.images_dir.clone(),
                };
                crate::pin_setup::set_pin(client, &target.base_url, &answers).await?;
                progress.done("the PIN was set");
                pin_set = true;
                client.sign_in(user, &password).await
            }
            SignIn::PasswordExpired { token } if !replaced => {
                let token = token.ok_or_else(|| {
                    Failure::new(
                        Exit::Refused,
                        format!("the password has expired and the API sent no token to replace it with; reset it with `etna password-reset --user {user}`"),
                    )
                })?;
                eprintln!("etna: the password has expired; choose a new one");
                let new = secrets.new_password().await?;
                client
                    .password_reset()
                    .set_password(token, new.clone())
                    .call()
                    .await
                    .map_err(|e| fail(e).hint("the password was not changed"))?;
                progress.done("the expired password was replaced by the new one");
                eprintln!("etna: the password was changed; signing in with the new one");
                password = new;
                replaced = true;
                client.sign_in(user, &password).await
            }
            SignIn::Refused { step, reason } => {
                return Err(Failure::new(
                    Exit::Refused,
                    format!(
                        "sign-in refused at {}: {}",
                        step.as_deref().unwrap_or("an unnamed step"),
                        reason.as_deref().unwrap_or("no reason given")
                    ),
                ));
            }
            other => {
                return Err(Failure::new(
                    Exit::Unexpected,
                    format!("sign-in answered {other:?}, which this version of etna does not handle"),
                ));
            }
        }
        .map_err(fail)?;
    }
}

fn no_mock(cli: &Options, command: &str) -> Result<(), Failure> {
    match cli.mock {
        true => Err(Failure::new(
            Exit::Usage,
            format!(
                "`etna auth {command}` has nothing to show with --mock: the mock keeps no session between commands"
            ),
        )),
        false => Ok(()),
    }
}

fn status(cli: &Options, args: &SelectArgs) -> Result<(), Failure> {
    no_mock(cli, "status")?;
    let from_env = sessions::from_environment()?.is_some();
    if from_env {
        crate::output::print_line(&format!(
            "{} is set: commands send it to {} instead of a stored session (its expiry is not known here)",
            sessions::TOKEN_VARIABLE,
            cli.base_url
                .as_deref()
                .unwrap_or("the deployment of --base-url (ETNA_BASE_URL)")
        ))?;
    }
    let sessions = Sessions::open()?;
    for record in sessions.all() {
        crate::output::print_line(&describe(&sessions, record))?;
    }
    if from_env {
        return Ok(());
    }
    let chosen = sessions.find(cli.base_url.as_deref(), args.user.as_deref());
    match chosen {
        Some(record) if !expired(record) => Ok(()),
        Some(record) => Err(Failure::new(
            Exit::NotSignedIn,
            format!(
                "the session of {} at {} has expired; sign in again with `etna auth login --user {}`",
                record.login, record.deployment, record.login
            ),
        )),
        None => Err(Failure::new(
            Exit::NotSignedIn,
            "not signed in: no stored session here; sign in with `etna auth login --user LOGIN`",
        )),
    }
}

fn describe(sessions: &Sessions, record: &Record) -> String {
    let expiry = match sessions::expires(record) {
        Some(at) if expired(record) => format!("expired at {}", time(at)),
        Some(at) => format!("expires at {}", time(at)),
        None => "expiry not known".to_owned(),
    };
    format!(
        "{}{}\n  login: {}\n  issued: {}\n  {expiry}\n  stored: {}",
        record.deployment,
        if sessions.is_current(record) {
            " (current)"
        } else {
            ""
        },
        record.login,
        time(sessions::issued(record)),
        sessions::describe_store(record.store, sessions.path()),
    )
}

fn logout(cli: &Options, args: &SelectArgs) -> Result<(), Failure> {
    no_mock(cli, "logout")?;
    let mut sessions = Sessions::open()?;
    let Some(record) = sessions
        .find(cli.base_url.as_deref(), args.user.as_deref())
        .cloned()
    else {
        return Err(Failure::new(
            Exit::NotSignedIn,
            "no stored session to forget",
        ));
    };
    sessions.forget(&record.deployment, &record.login)?;
    let until = match sessions::expires(&record) {
        Some(at) if !expired(&record) => format!(" until {}", time(at)),
        _ => String::new(),
    };
    crate::output::print_line(&format!(
        "Forgot the session of {} at {}. The API has no logout: the token stays valid on the server{until}.",
        record.login, record.deployment
    ))
}

fn token(cli: &Options, args: &SelectArgs) -> Result<(), Failure> {
    no_mock(cli, "token")?;
    if let Some(session) = sessions::from_environment()? {
        return crate::output::print_line(session.token().expose());
    }
    let sessions = Sessions::open()?;
    let record = sessions
        .find(cli.base_url.as_deref(), args.user.as_deref())
        .ok_or_else(|| {
            Failure::new(
                Exit::NotSignedIn,
                "not signed in: sign in with `etna auth login --user LOGIN`",
            )
        })?;
    if expired(record) {
        return Err(Failure::new(
            Exit::NotSignedIn,
            format!(
                "the session of {} at {} has expired; sign in again with `etna auth login --user {}`",
                record.login, record.deployment, record.login
            ),
        ));
    }
    let session = sessions.session(record)?;
    crate::output::print_line(session.token().expose())
}

fn expired(record: &Record) -> bool {
    sessions::expires(record).is_some_and(|at| SystemTime::now() >= at)
}

fn time(at: SystemTime) -> String {
    humantime::format_rfc3339_seconds(at).to_string()
}
