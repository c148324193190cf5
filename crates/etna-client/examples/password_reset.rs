//! The whole password-reset flow with etna-client, secret question included,
//! through [`Client::password_reset`](etna_client::generated::Client::password_reset).
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

use etna_client::{Client, Operation, password_reset};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let login = std::env::args()
        .nth(1)
        .ok_or("pass the trader's login, e.g. robert.zak")?;
    let client = Client::new(
        &std::env::var("ETNA_BASE_URL").map_err(|_| "set ETNA_BASE_URL to the API root")?,
        &std::env::var("ETNA_APP_KEY").map_err(|_| "set ETNA_APP_KEY")?,
    )?;
    let reset = client.password_reset();

    // Step 1, and steps 2 and 1 again when the account has a secret question.
    let mut answer = None;
    loop {
        match reset.request_code(&login, answer.take()).call().await {
            Ok(()) => break,
            Err(e) if password_reset::asks_for_answer(&e) => {
                let question = reset.secret_question(&login).call().await?;
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
    let code = ask("confirmation code from the email")?;
    let token = reset.reset_token(code).call().await?;

    // Step 4: the new password, typed twice here, sent with its confirmation.
    let password = ask("new password")?;
    if ask("new password again")? != password {
        return Err("the two passwords differ".into());
    }
    reset.set_password(token, password).call().await?;
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
