//! Signing in with etna-client, one factor or two, then a call that needs
//! the session.
//!
//! ```sh
//! ETNA_BASE_URL=https://trader.example.com/api ETNA_APP_KEY=... \
//!   cargo run -p etna-client --example sign_in -- robert.zak
//! ```
//!
//! It asks on the terminal for the password and, when the API asks for
//! them, the verification code and the PIN. Input is echoed here; a real
//! tool reads secrets without echo (the `etna` CLI does).

use std::io::{BufRead, Write};

use etna_client::{Client, Operation, Secret, SignIn};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let login = std::env::args()
        .nth(1)
        .ok_or("pass the trader's login, e.g. robert.zak")?;
    let client = Client::new(
        &std::env::var("ETNA_BASE_URL").map_err(|_| "set ETNA_BASE_URL to the API root")?,
        &std::env::var("ETNA_APP_KEY").map_err(|_| "set ETNA_APP_KEY")?,
    )?;

    let password = Secret::from(ask("password")?);
    let mut state = client.sign_in(&login, &password).await?;
    // The API decides how many factors it wants; each answer says what next.
    let session = loop {
        state = match state {
            SignIn::SignedIn(session) => break session,
            SignIn::CodeNeeded => {
                let code = Secret::from(ask("verification code (email or SMS)")?);
                client.sign_in_with_code(&login, &password, &code).await?
            }
            SignIn::PinNeeded => {
                let pin = Secret::from(ask("PIN")?);
                client.sign_in_with_pin(&login, &password, &pin).await?
            }
            SignIn::PinNotSet => {
                return Err("the trader has no PIN yet: set one (`etna pin set`) first".into());
            }
            SignIn::PasswordExpired { .. } => {
                return Err(
                    "the password has expired: reset it (see the password_reset example)".into(),
                );
            }
            SignIn::Refused { step, reason } => {
                return Err(format!(
                    "sign-in refused at {}: {}",
                    step.as_deref().unwrap_or("an unnamed step"),
                    reason.as_deref().unwrap_or("no reason given")
                )
                .into());
            }
            other => return Err(format!("an answer this example does not know: {other:?}").into()),
        };
    };
    match session.expires() {
        Some(expires) => println!("signed in; the session ends in {}", remaining(expires)),
        None => println!("signed in"),
    }

    // The client now sends the session to every operation whose security
    // names the Bearer scheme.
    let images = client.list_security_images().call().await?;
    println!("{} security images are available for a PIN", images.len());
    Ok(())
}

fn remaining(at: std::time::SystemTime) -> String {
    let left = at
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default()
        .as_secs();
    format!("{} h {} min", left / 3600, left % 3600 / 60)
}

fn ask(prompt: &str) -> std::io::Result<String> {
    print!("{prompt}: ");
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
