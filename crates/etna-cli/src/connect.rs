//! The client every command calls through: a deployment named by the
//! options, or the embedded mock server with `--mock`.

use std::time::Duration;

use etna_client::generated::Client;
use etna_client::{BuildError, ClientBuilder, Dispatch, GeneratedClient, Secret};
use etna_mock::MockServer;

use crate::failure::mock_failure;
use crate::failure::{self, Exit, Failure};
use crate::options::Options;
use crate::output::verbose;

/// The connect timeout is capped: a host that does not accept a connection
/// within this long is unreachable, whatever --timeout allows for the answer.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A client, and the mock it calls when there is one.
pub struct Target<C = Client> {
    pub client: C,
    pub base_url: String,
    pub mock: Option<MockServer>,
}

impl<C> Target<C> {
    /// Stops the mock, if any, once the command is done with it.
    pub async fn finish(self) {
        if let Some(server) = self.mock {
            server.shutdown().await;
        }
    }
}

/// The default client, for the commands made for the ETNA spec.
pub async fn connect(cli: &Options) -> Result<Target, Failure> {
    connect_generated::<Client>(cli).await
}

/// A client of any generated kind (the fixture's in tests), with the
/// options' settings.
pub async fn connect_generated<C: GeneratedClient + Dispatch>(
    cli: &Options,
) -> Result<Target<C>, Failure> {
    connect_with(cli, C::APP_KEY_HEADER, ClientBuilder::build_generated::<C>).await
}

/// etna-client's own client, whose flows (sign-in) are methods of it.
pub async fn connect_client(cli: &Options) -> Result<Target<etna_client::Client>, Failure> {
    connect_with(cli, Client::APP_KEY_HEADER, ClientBuilder::build).await
}

/// `header`: the app key's header in the client's spec, named in messages.
async fn connect_with<C>(
    cli: &Options,
    header: &str,
    build: impl FnOnce(ClientBuilder) -> Result<C, BuildError>,
) -> Result<Target<C>, Failure> {
    let mock = match cli.mock {
        true => Some(start_mock(cli).await?),
        false => None,
    };
    let (base_url, app_key) = match &mock {
        Some(server) => (
            server.base_url(),
            cli.app_key
                .as_ref()
                .map_or(MockServer::APP_KEY, Secret::expose),
        ),
        None => (base_url(cli)?, app_key(cli, header)?),
    };
    let timeout = Duration::from_secs(cli.timeout);
    let builder = etna_client::Client::builder()
        .base_url(base_url.as_str())
        .app_key(app_key)
        .api_version(cli.api_version.as_str())
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
        .user_agent(concat!("etna-cli/", env!("CARGO_PKG_VERSION")));
    let client = build(builder).map_err(|e| failure::from_build(&e))?;
    verbose(
        cli,
        &format!(
            "calling {base_url} (API version {}, timeout {} s, app key set but not shown)",
            cli.api_version, cli.timeout,
        ),
    );
    Ok(Target {
        client,
        base_url,
        mock,
    })
}

async fn start_mock(cli: &Options) -> Result<MockServer, Failure> {
    let mut builder = MockServer::builder();
    if let Some(key) = &cli.app_key {
        builder = builder.app_key(key.expose());
    }
    let server = builder.start().await.map_err(|e| mock_failure(&e))?;
    verbose(
        cli,
        &format!("started the embedded mock server at {}", server.base_url()),
    );
    Ok(server)
}

fn base_url(cli: &Options) -> Result<String, Failure> {
    cli.base_url.clone().ok_or_else(|| {
        Failure::new(
            Exit::Usage,
            "no API address: pass --base-url or set ETNA_BASE_URL to your deployment's API root (e.g. https://trader.example.com/api), or add --mock to try the embedded mock server",
        )
    })
}

fn app_key<'a>(cli: &'a Options, header: &str) -> Result<&'a str, Failure> {
    cli.app_key.as_ref().map(Secret::expose).ok_or_else(|| {
        Failure::new(
            Exit::Usage,
            format!(
                "no app key: set ETNA_APP_KEY to the {header} your administrator issued, or add --mock to try the embedded mock server"
            ),
        )
    })
}

/// With `--mock`, the session of the mock trader of the README
/// ([`MockServer::TRADER`]), signed in for this command only: the mock
/// ends with it, so nothing is stored. Given to `state`, the settings of
/// whichever generated client the command calls with.
pub async fn sign_in_to_mock(
    cli: &Options,
    mock: &MockServer,
    state: &etna_client::ClientState,
) -> Result<(), Failure> {
    let base_url = mock.base_url();
    let key = cli
        .app_key
        .as_ref()
        .map_or(MockServer::APP_KEY, Secret::expose);
    let timeout = Duration::from_secs(cli.timeout);
    let client = etna_client::Client::builder()
        .base_url(base_url.as_str())
        .app_key(key)
        .api_version(cli.api_version.as_str())
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
        .build()
        .map_err(|e| failure::from_build(&e))?;
    let password = Secret::from(MockServer::TRADER_PASSWORD);
    match client.sign_in(MockServer::TRADER, &password).await {
        Ok(etna_client::SignIn::SignedIn(session)) => {
            state.set_session(session);
            verbose(
                cli,
                &format!(
                    "signed in to the mock as {} for this command (nothing is stored)",
                    MockServer::TRADER
                ),
            );
            Ok(())
        }
        Ok(other) => Err(Failure::new(
            Exit::Unexpected,
            format!(
                "the mock did not sign {} in: it answered {other:?}",
                MockServer::TRADER
            ),
        )),
        Err(e) => Err(failure::from_call(&e, &base_url)),
    }
}
