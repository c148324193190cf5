//! `etna mock serve`: the mock server in the foreground until Ctrl-C.

use std::time::Duration;

use etna_mock::{Fault, Latency, MockServer, MockServerBuilder};

use crate::cli::ServeArgs;
use crate::failure::mock_failure;
use crate::failure::{Exit, Failure};
use crate::options::Options;
use crate::output::print_line;

pub async fn run(cli: &Options, args: &ServeArgs) -> Result<(), Failure> {
    let mut builder = faults(MockServer::builder().port(args.port), args)?;
    if let Some(path) = &args.spec {
        builder = builder.spec(read(path, "--spec")?);
    }
    if let Some(path) = &args.accounts {
        builder = builder.accounts(read(path, "--accounts")?);
    }
    if args.stateless {
        builder = builder.stateless();
    }
    if let Some(seconds) = args.token_lifetime {
        builder = builder.token_lifetime(Duration::from_secs(seconds));
    }
    let key = match &cli.app_key {
        Some(key) => {
            builder = builder.app_key(key.expose());
            "the one in ETNA_APP_KEY"
        }
        None => MockServer::APP_KEY,
    };
    let server = builder.start().await.map_err(|e| mock_failure(&e))?;
    let arrivals = server.subscribe_outbox();
    print_line(&server.base_url())?;
    eprintln!(
        "etna: mock ETNA Trader API listening; it accepts the app key {key}; mailed codes are printed here and served at {}{}; streamers at {}; press Ctrl-C to stop",
        server.base_url(),
        etna_mock::OUTBOX_PATH,
        server.streamer_urls().join(" and "),
    );
    for mail in server.outbox() {
        print_mail(&mail);
    }
    let printing = tokio::spawn(print_arrivals(arrivals));
    let stopped = stop_signal().await;
    printing.abort();
    server.shutdown().await;
    stopped?;
    eprintln!("etna: mock server stopped");
    Ok(())
}

fn read(path: &std::path::Path, option: &str) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            Exit::Usage,
            format!("cannot read {option} {}: {e}", path.display()),
        )
    })
}

/// The mock's codes are its own, not credentials: printing them stands in
/// for the trader reading the email or the SMS. Session tokens are never
/// printed.
fn print_mail(mail: &etna_mock::Mail) {
    let by = match mail.channel {
        etna_mock::Channel::Sms => "SMS",
        _ => "mail",
    };
    eprintln!(
        "etna: {by} to {} ({}): confirmation code {}",
        mail.to, mail.login, mail.code
    );
}

async fn print_arrivals(mut arrivals: tokio::sync::broadcast::Receiver<etna_mock::Mail>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match arrivals.recv().await {
            Ok(mail) => print_mail(&mail),
            Err(RecvError::Lagged(missed)) => eprintln!(
                "etna: {missed} mails arrived faster than they could be printed; GET {} lists them",
                etna_mock::OUTBOX_PATH
            ),
            Err(RecvError::Closed) => return,
        }
    }
}

/// The --latency and --fault options on the builder.
fn faults(mut builder: MockServerBuilder, args: &ServeArgs) -> Result<MockServerBuilder, Failure> {
    for option in &args.latency {
        let (operation, value) = split_operation(option);
        let latency = parse_latency(value).ok_or_else(|| {
            usage(format!(
                "invalid --latency {option:?}: give milliseconds (250), a range (100-900), optionally after OPERATION:"
            ))
        })?;
        builder = match operation {
            Some(operation) => builder.latency_for(operation, latency),
            None => builder.latency(latency),
        };
    }
    for option in &args.fault {
        let (operation, value) = split_operation(option);
        let fault = match value {
            "drop" => Fault::Drop,
            "truncate" => Fault::Truncate,
            "hangup" => Fault::Hangup,
            status => match status.parse::<u16>() {
                Ok(code) if (100..=599).contains(&code) => Fault::Status(code),
                _ => {
                    return Err(usage(format!(
                        "invalid --fault {option:?}: give an HTTP status (403), drop, truncate or hangup, optionally after OPERATION:"
                    )));
                }
            },
        };
        builder = match operation {
            Some(operation) => builder.fault_for(operation, fault),
            None => builder.fault(fault),
        };
    }
    Ok(builder)
}

fn split_operation(option: &str) -> (Option<&str>, &str) {
    match option.split_once(':') {
        Some((operation, value)) => (Some(operation), value),
        None => (None, option),
    }
}

fn parse_latency(value: &str) -> Option<Latency> {
    let ms = |text: &str| text.trim().parse::<u64>().ok().map(Duration::from_millis);
    let latency = match value.split_once('-') {
        Some((low, high)) => Latency::Between(ms(low)?, ms(high)?),
        None => Latency::Fixed(ms(value)?),
    };
    let longest = match latency {
        Latency::Fixed(d) | Latency::Between(_, d) => d,
    };
    (longest <= etna_mock::MAX_DELAY).then_some(latency)
}

fn usage(message: String) -> Failure {
    Failure::new(Exit::Usage, message)
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
