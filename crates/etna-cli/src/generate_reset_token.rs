//! `etna generate-reset-token`: one call through etna-client, its result on
//! stdout.

use etna_client::EnvelopeOperation;
use etna_client::types::ResetCodeRequest;

use crate::cli::ResetArgs;
use crate::connect::connect;
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::options::Output;
use crate::{print_json, print_line, verbose};

pub async fn run(cli: &Options, args: &ResetArgs) -> Result<(), Failure> {
    // Checked against the spec before any server is started or called.
    let body = ResetCodeRequest {
        code: args.code.as_str().into(),
        identifier: args.identifier.into(),
    };
    let json = serde_json::to_value(&body).unwrap_or_default();
    let problems = crate::validate::request_body("generate_reset_token", &json)?;
    if !problems.is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            format!("invalid --code: {}", problems.join("; ")),
        ));
    }
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
        .generate_reset_token()
        .body(body)
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
