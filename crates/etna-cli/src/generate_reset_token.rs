//! `etna generate-reset-token`: step 3 of etna-client's reset flow alone,
//! its result on stdout.

use etna_client::EnvelopeOperation;

use crate::cli::ResetArgs;
use crate::connect::connect;
use crate::failure::{self, Failure};
use crate::options::Options;
use crate::options::Output;
use crate::output::{print_json, print_line, verbose};
use crate::password_reset::{check_code, emailed_code};
use crate::prompt::{Progress, interruptible};

pub async fn run(cli: &Options, args: &ResetArgs) -> Result<(), Failure> {
    // Nothing is sent before the code is in, so an interruption has done nothing.
    let code = interruptible(&Progress::default(), emailed_code(args.code_stdin)).await?;
    // Checked against the spec before any server is started or called.
    check_code(&code, args.identifier.into(), "confirmation code")?;
    let target = connect(cli).await?;
    verbose(
        cli,
        &format!(
            "asking for a {} token",
            etna_client::types::ResetIdentifier::from(args.identifier)
        ),
    );
    let result = target
        .client
        .password_reset()
        .identifier(args.identifier.into())
        .reset_token(code)
        .call_envelope()
        .await;
    let base_url = target.base_url.clone();
    target.finish().await;
    let answer = result.map_err(|e| failure::from_call(&e, &base_url))?;
    if cli.output == Output::Json {
        // The envelope as the server sent it, refusals included.
        print_json(&answer.envelope)?;
    }
    let token = answer.into_model().map_err(|e| {
        failure::from_call(&e, &base_url)
            .hint("check the code in the trader's email, or have a new code sent")
    })?;
    if cli.output != Output::Json {
        print_line(token.expose())?;
    }
    Ok(())
}
