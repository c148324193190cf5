//! The whole password-reset flow with etna-client, secret question included.
//!
//! ```sh
//! ETNA_BASE_URL=https://trader.example.com/api ETNA_APP_KEY=... \
//!   cargo run -p etna-client --example password_reset -- robert.zak
//! ```
//!
//! It asks on the terminal for what only the trader knows: the answer to the
//! secret question (when the account has one), the code from the email, and
//! the new password. Input is echoed here; a real tool reads passwords
//! without echo (the `etna` CLI does).

use std::io::{BufRead, Write};

use etna_client::types::{PasswordResetRequest, PasswordUpdate, ResetCodeRequest, ResetIdentifier};
use etna_client::{Client, Error, Operation, Secret};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let login = std::env::args()
        .nth(1)
        .ok_or("pass the trader's login, e.g. robert.zak")?;
    let client = Client::new(
        &std::env::var("ETNA_BASE_URL").map_err(|_| "set ETNA_BASE_URL to the API root")?,
        &std::env::var("ETNA_APP_KEY").map_err(|_| "set ETNA_APP_KEY")?,
    )?;

    // Step 1, and steps 2 and 1 again when the account has a secret question.
    let mut answer: Option<Secret> = None;
    loop {
        let started = client
            .request_password_reset()
            .body(PasswordResetRequest {
                user: login.as_str().try_into()?,
                secret_question_answer: answer.clone(),
            })
            .call()
            .await;
        match started {
            Ok(()) => break,
            Err(Error::Refused { errors_code, .. })
                if errors_code.iter().any(|c| c == "ErrorIncorrectAnswer") =>
            {
                let question = client
                    .get_secret_question()
                    .username(login.as_str())
                    .call()
                    .await?;
                if question.is_empty() {
                    return Err(
                        "the API asks for a secret answer, but the account has no question".into(),
                    );
                }
                answer = Some(ask(&question)?.into());
            }
            Err(other) => return Err(other.into()),
        }
    }
    println!("a confirmation code was sent to the trader's email");

    // Step 3: the code from the email for a reset token.
    let token = client
        .generate_reset_token()
        .body(ResetCodeRequest {
            code: ask("confirmation code from the email")?.into(),
            identifier: ResetIdentifier::ResetPassword,
        })
        .call()
        .await?;

    // Step 4: the new password, twice.
    let password = ask("new password")?;
    let again = ask("new password again")?;
    client
        .reset_password()
        .body(PasswordUpdate {
            token,
            password: password.into(),
            password_confirmation: again.into(),
        })
        .call()
        .await?;
    println!("the password was changed; the trader can log in with it");
    Ok(())
}

fn ask(prompt: &str) -> std::io::Result<String> {
    print!("{prompt}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
