//! `etna generate-reset-token`: one call through etna-client, its result on
//! stdout.

use std::time::Duration;

use etna_client::types::ResetCodeRequest;
use etna_client::{Client, Operation};
use etna_mock::MockServer;

use crate::cli::{Cli, Output, ResetArgs};
use crate::failure::{self, Exit, Failure};
use crate::{mock_failure, print_line, verbose};

/// The connect timeout is capped: a host that does not accept a connection
/// within this long is unreachable, whatever --timeout allows for the answer.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(cli: &Cli, args: &ResetArgs) -> Result<(), Failure> {
    // Checked against the spec before any server is started or called.
    let body = ResetCodeRequest {
        code: args.code.as_str().into(),
        identifier: args.identifier.into(),
    };
    let json = serde_json::to_value(&body).unwrap_or_default();
    let problems = crate::validate::request_body("generate_reset_token", &json);
    if !problems.is_empty() {
        return Err(Failure::new(
            Exit::Usage,
            format!("invalid --code: {}", problems.join("; ")),
        ));
    }
    let mock = match cli.mock {
        true => Some(start_mock(cli).await?),
        false => None,
    };
    let (base_url, app_key) = match &mock {
        Some(server) => (
            server.base_url(),
            cli.app_key.as_deref().unwrap_or(MockServer::APP_KEY),
        ),
        None => (base_url(cli)?, app_key(cli)?),
    };
    let timeout = Duration::from_secs(cli.timeout);
    let client = Client::builder()
        .base_url(base_url.as_str())
        .app_key(app_key)
        .api_version(cli.api_version.as_str())
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
        .user_agent(concat!("etna-cli/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failure::from_build(&e))?;
    verbose(
        cli,
        &format!(
            "asking {} (API version {}, timeout {} s, app key set but not shown) for a {} token",
            client.base_url(),
            client.api_version(),
            cli.timeout,
            etna_client::types::ResetIdentifier::from(args.identifier),
        ),
    );
    let result = client
        .generate_reset_token()
        .body(body)
        .call_envelope()
        .await;
    if let Some(server) = mock {
        server.shutdown().await;
    }
    let answer = result.map_err(|e| failure::from_call(&e, &base_url))?;
    if cli.output == Output::Json {
        // The envelope as the server sent it, refusals included.
        let json = serde_json::to_string_pretty(&answer.envelope).map_err(|e| {
            Failure::new(Exit::Unexpected, format!("cannot print the envelope: {e}"))
        })?;
        print_line(&json)?;
    }
    let token = answer
        .into_model()
        .map_err(|e| failure::from_call(&e, &base_url))?;
    if cli.output == Output::Text {
        print_line(token.expose())?;
    }
    Ok(())
}

async fn start_mock(cli: &Cli) -> Result<MockServer, Failure> {
    let mut builder = MockServer::builder();
    if let Some(key) = &cli.app_key {
        builder = builder.app_key(key.as_str());
    }
    let server = builder.start().await.map_err(|e| mock_failure(&e))?;
    verbose(
        cli,
        &format!("started the embedded mock server at {}", server.base_url()),
    );
    Ok(server)
}

fn base_url(cli: &Cli) -> Result<String, Failure> {
    cli.base_url.clone().ok_or_else(|| {
        Failure::new(
            Exit::Usage,
            "no API address: pass --base-url or set ETNA_BASE_URL to your deployment's API root (e.g. https://trader.example.com/api), or add --mock to try the embedded mock server",
        )
    })
}

fn app_key(cli: &Cli) -> Result<&str, Failure> {
    cli.app_key.as_deref().ok_or_else(|| {
        Failure::new(
            Exit::Usage,
            "no app key: set ETNA_APP_KEY (or pass --app-key) to the Et-App-Key your administrator issued, or add --mock to try the embedded mock server",
        )
    })
}
