//! `etna mock serve`: the mock server in the foreground until Ctrl-C.

use etna_mock::MockServer;

use crate::cli::Cli;
use crate::failure::{Exit, Failure};
use crate::{mock_failure, print_line};

pub async fn run(cli: &Cli, port: u16) -> Result<(), Failure> {
    let mut builder = MockServer::builder().port(port);
    let key = match &cli.app_key {
        Some(key) => {
            builder = builder.app_key(key.as_str());
            "the one given with --app-key or ETNA_APP_KEY"
        }
        None => MockServer::APP_KEY,
    };
    let server = builder.start().await.map_err(|e| mock_failure(&e))?;
    print_line(&server.base_url())?;
    eprintln!(
        "etna: mock ETNA Trader API listening; it accepts the app key {key}; the code {} gets a token, other codes are refused; press Ctrl-C to stop",
        server.accepted_code()
    );
    let stopped = stop_signal().await;
    server.shutdown().await;
    stopped?;
    eprintln!("etna: mock server stopped");
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM.
async fn stop_signal() -> Result<(), Failure> {
    let failed =
        |e: std::io::Error| Failure::new(Exit::Unexpected, format!("cannot wait for Ctrl-C: {e}"));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).map_err(failed)?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map_err(failed),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map_err(failed)
    }
}
