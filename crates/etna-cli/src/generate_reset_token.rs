//! `etna generate-reset-token`: step 3 of etna-client's reset flow alone,
//! its result on stdout.

use etna_client::{EnvelopeOperation, Secret};

use crate::cli::ResetArgs;
use crate::connect::connect;
use crate::failure::{self, Failure};
use crate::options::Options;
use crate::options::Output;
use crate::output::{print_json, print_line, verbose};

pub async fn run(cli: &Options, args: &ResetArgs) -> Result<(), Failure> {
    // Checked against the spec before any server is started or called.
    let code = Secret::from(args.code.as_str());
    crate::password_reset::check_code(&code, args.identifier.into(), "--code")?;
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
    if cli.output == Output::Text {
        print_line(token.expose())?;
    }
    Ok(())
}
