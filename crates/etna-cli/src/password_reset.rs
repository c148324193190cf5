//! `etna password-reset`: the four steps of the reset flow as a person does
//! them (guided, on a terminal) and one by one for scripts (`start`,
//! `question`, `finish`), over etna-client's flow
//! (`etna_client::password_reset`): this module adds the prompts, the mock's
//! outbox and what is printed. Every secret comes from a prompt without echo
//! or from stdin, never from an argument, and the token is never printed.

use etna_client::generated::Client;
use etna_client::password_reset::{asks_for_answer, code_body};
use etna_client::types::ResetIdentifier;
use etna_client::{Envelope, EnvelopeOperation, Error, Secret};
use serde_json::Value;

use crate::cli::{FinishArgs, PasswordResetArgs, ResetStep, StartArgs};
use crate::connect::{Target, connect};
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::options::Output;
use crate::output::print_json;
use crate::prompt::{self, Progress, interruptible};

const CODE_MAILED: &str = "a confirmation code was sent to the trader's email";

pub async fn run(cli: &Options, args: &PasswordResetArgs) -> Result<(), Failure> {
    let progress = Progress::default();
    interruptible(&progress, async {
        match &args.step {
            Some(ResetStep::Start(start)) => run_start(cli, start, &progress).await,
            Some(ResetStep::Question(question)) => run_question(cli, &question.user).await,
            Some(ResetStep::Finish(finish)) => run_finish(cli, finish, &progress).await,
            None => guided(cli, args, &progress).await,
        }
    })
    .await
}

/// One session: the client, and the last envelope for `--output json`.
struct Session {
    target: Target,
    last: std::cell::RefCell<Option<Value>>,
    json: bool,
}

impl Session {
    async fn new(cli: &Options) -> Result<Self, Failure> {
        Ok(Self {
            target: connect(cli).await?,
            last: Default::default(),
            json: cli.output == Output::Json,
        })
    }

    fn client(&self) -> &Client {
        &self.target.client
    }

    async fn call<O>(&self, operation: O) -> Result<<O::Envelope as Envelope>::Model, Error>
    where
        O: EnvelopeOperation,
        O::Envelope: serde::Serialize,
    {
        let reply = operation.call_envelope().await?;
        *self.last.borrow_mut() = serde_json::to_value(&reply.envelope).ok();
        reply.into_model()
    }

    fn fail(&self, error: &Error) -> Failure {
        failure::from_call(error, &self.target.base_url)
    }

    async fn end(self) -> Result<(), Failure> {
        let (json, last) = (self.json, self.last.take());
        self.target.finish().await;
        match (json, last) {
            (true, Some(envelope)) => print_json(&envelope),
            _ => Ok(()),
        }
    }
}

/// Where the secret answer comes from when the API asks for it.
enum AnswerSource {
    Stdin,
    Prompt,
    Nowhere,
}

fn answer_source(from_stdin: bool) -> AnswerSource {
    match (from_stdin, prompt::interactive()) {
        (true, _) => AnswerSource::Stdin,
        (false, true) => AnswerSource::Prompt,
        (false, false) => AnswerSource::Nowhere,
    }
}

async fn run_start(cli: &Options, args: &StartArgs, progress: &Progress) -> Result<(), Failure> {
    let session = Session::new(cli).await?;
    let source = answer_source(args.secret_answer_stdin);
    let result = step1(&session, &args.user, source, progress).await;
    let outcome = result.map(|()| eprintln!("etna: {CODE_MAILED}"));
    session.end().await?;
    outcome
}

/// Step 1; when the API asks for the secret answer, step 2 and step 1 again
/// with the answer.
async fn step1(
    session: &Session,
    user: &str,
    source: AnswerSource,
    progress: &Progress,
) -> Result<(), Failure> {
    // Checked here for the message; the request checks it again.
    login(user)?;
    let mut answer = match source {
        AnswerSource::Stdin => Some(prompt::stdin_line("secret answer").await?),
        _ => None,
    };
    let mut question: Option<String> = None;
    loop {
        let request = session
            .client()
            .password_reset()
            .request_code(user, answer.clone());
        match session.call(request).await {
            Ok(()) => {
                progress.done(format!(
                    "step 1 ({CODE_MAILED}; the code stays usable: `etna password-reset finish`)"
                ));
                return Ok(());
            }
            Err(e) if asks_for_answer(&e) => {
                let question = match &question {
                    Some(known) => known.clone(),
                    None => question.insert(step2(session, user).await?).clone(),
                };
                match source {
                    AnswerSource::Prompt => {
                        if answer.is_some() {
                            eprintln!("etna: the answer was not right; try again");
                        }
                        eprintln!("etna: the account's secret question: {question}");
                        answer = Some(prompt::hidden("Answer".to_owned()).await?);
                    }
                    AnswerSource::Stdin => {
                        return Err(Failure::new(
                            Exit::Refused,
                            format!(
                                "the secret answer given on stdin is not right; the question is: {question}"
                            ),
                        ));
                    }
                    AnswerSource::Nowhere => {
                        return Err(Failure::new(
                            Exit::Refused,
                            format!(
                                "the account has a secret question: {question}; give the answer as one line on stdin with --secret-answer-stdin, or run this on a terminal to be asked"
                            ),
                        ));
                    }
                }
            }
            Err(e) => return Err(session.fail(&e).hint("check the login")),
        }
    }
}

async fn step2(session: &Session, user: &str) -> Result<String, Failure> {
    let request = session.client().password_reset().secret_question(user);
    session.call(request).await.map_err(|e| session.fail(&e))
}

async fn run_question(cli: &Options, user: &str) -> Result<(), Failure> {
    login(user)?;
    let session = Session::new(cli).await?;
    let result = step2(&session, user).await;
    let json = session.json;
    session.end().await?;
    match result?.as_str() {
        "" => eprintln!("etna: the account has no secret question"),
        question if !json => crate::output::print_line(question)?,
        _ => {}
    }
    Ok(())
}

async fn run_finish(cli: &Options, args: &FinishArgs, progress: &Progress) -> Result<(), Failure> {
    let code = emailed_code(args.code_stdin).await?;
    check_code(&code, args.identifier.into(), "confirmation code")?;
    let password = new_password(args.password_stdin).await?;
    let session = Session::new(cli).await?;
    let outcome = steps_3_and_4(&session, code, args.identifier.into(), password, progress).await;
    session.end().await?;
    outcome
}

/// The guided flow: step 1 (and the question), the code from the email (or
/// the mock's outbox), the new password twice, steps 3 and 4.
async fn guided(
    cli: &Options,
    args: &PasswordResetArgs,
    progress: &Progress,
) -> Result<(), Failure> {
    let user = args.user.as_deref().unwrap_or_default();
    let identifier: ResetIdentifier = args.identifier.into();
    // Say what cannot work before anything is sent.
    if !cli.mock && !args.code_stdin && !prompt::interactive() {
        return Err(Failure::new(
            Exit::Usage,
            "no terminal to ask for the code from the email: pass --code-stdin, or run `etna password-reset start` and then `finish --code-stdin`",
        ));
    }
    if !args.password_stdin && !prompt::interactive() {
        return Err(no_password_source());
    }
    let session = Session::new(cli).await?;
    let outcome = async {
        let source = answer_source(args.secret_answer_stdin);
        step1(&session, user, source, progress).await?;
        eprintln!("etna: {CODE_MAILED}");
        let code = match &session.target.mock {
            Some(server) => {
                let code = server.last_code_for(user).ok_or_else(|| {
                    Failure::new(Exit::Unexpected, "the mock mailed no code to this account")
                })?;
                eprintln!("etna: took the code from the mock's outbox (the trader's email)");
                Secret::from(code)
            }
            None if args.code_stdin => prompt::stdin_line("confirmation code").await?,
            None => prompt::hidden("Confirmation code from the email".to_owned()).await?,
        };
        check_code(&code, identifier, "confirmation code")?;
        let password = new_password(args.password_stdin).await?;
        steps_3_and_4(&session, code, identifier, password, progress).await
    }
    .await;
    session.end().await?;
    outcome
}

async fn steps_3_and_4(
    session: &Session,
    code: Secret,
    identifier: ResetIdentifier,
    password: Secret,
    progress: &Progress,
) -> Result<(), Failure> {
    let reset = session.client().password_reset().identifier(identifier);
    let token = session.call(reset.reset_token(code)).await.map_err(|e| {
        session
            .fail(&e)
            .hint("check the code in the trader's email, or start again to have a new code sent")
    })?;
    progress.done("step 3 (the code was used; a new one needs `etna password-reset start`)");
    session
        .call(reset.set_password(token, password))
        .await
        .map_err(|e| session.fail(&e).hint("the password was not changed"))?;
    eprintln!("etna: the password was changed; the trader can log in with the new one");
    Ok(())
}

/// The code from the trader's email: one line of stdin, or asked without
/// echo on a terminal; never an argument.
pub async fn emailed_code(from_stdin: bool) -> Result<Secret, Failure> {
    match from_stdin {
        true => prompt::stdin_line("confirmation code").await,
        false if prompt::interactive() => {
            prompt::hidden("Confirmation code from the email".to_owned()).await
        }
        false => Err(Failure::new(
            Exit::Usage,
            "no terminal to ask for the confirmation code: give it as one line on stdin with --code-stdin",
        )),
    }
}

async fn new_password(from_stdin: bool) -> Result<Secret, Failure> {
    match from_stdin {
        true => prompt::stdin_line("new password").await,
        false if prompt::interactive() => prompt::new_password().await,
        false => Err(no_password_source()),
    }
}

fn no_password_source() -> Failure {
    Failure::new(
        Exit::Usage,
        "no terminal to ask for the new password: give it as one line on stdin with --password-stdin",
    )
}

fn login(user: &str) -> Result<etna_client::types::PasswordResetRequestUser, Failure> {
    user.try_into()
        .map_err(|e| Failure::new(Exit::Usage, format!("invalid --user: {e}")))
}

/// The code against the spec's schema before it is sent (it is single use);
/// `what` names it in the error.
pub fn check_code(code: &Secret, identifier: ResetIdentifier, what: &str) -> Result<(), Failure> {
    let body = serde_json::to_value(code_body(code.clone(), identifier)).unwrap_or_default();
    let problems = crate::validate::request_body("generate_reset_token", &body)?;
    match problems.is_empty() {
        true => Ok(()),
        false => Err(Failure::new(
            Exit::Usage,
            format!("invalid {what}: {}", problems.join("; ")),
        )),
    }
}
