//! Setting a PIN (`change_pin_code`), as `etna auth login` does when
//! sign-in answers "PIN code is not init": the security images written as PNG
//! files to a directory the person can open, the chosen image, a personal
//! phrase, the PIN twice without echo.
//!
//! The body's `Token` is, in the documentation's words, a confirmation token
//! "from the authentication endpoint", never shown there. This reads it as
//! the token that sign-in (the authentication endpoint) returned with "PIN
//! code is not init", which the client holds as its session; the choice is a
//! reading of the documentation, stated in crates/etna-cli/README.md.

use std::path::{Path, PathBuf};

use base64::Engine;
use etna_client::types::{PinCodeChange, SecurityImage};
use etna_client::{Client, Operation, Secret, SecretInteger};

use crate::failure::{self, Exit, Failure};
use crate::prompt;

/// Where the answers come from: the prompts, or the lines of stdin (image
/// name, personal phrase, PIN).
pub struct Answers {
    pub from_stdin: bool,
    pub images_dir: Option<PathBuf>,
}

/// Sets the PIN with the session `client` holds; `base_url` for messages.
pub async fn set_pin(client: &Client, base_url: &str, answers: &Answers) -> Result<(), Failure> {
    let fail = |e: etna_client::Error| failure::from_call(&e, base_url);
    let token = client.session().map(|s| s.token().clone()).ok_or_else(|| {
        Failure::new(
            Exit::Refused,
            "the API asks for a PIN to be set but sent no token to set it with",
        )
    })?;
    let images = client.list_security_images().call().await.map_err(fail)?;
    let dir = write_images(&images, answers.images_dir.as_deref())?;
    let names: Vec<&str> = images.iter().map(|i| i.file_name.as_str()).collect();
    eprintln!(
        "etna: the security images are in {} ({} files); the image you choose is shown when you sign in",
        dir.display(),
        names.len()
    );
    let image = ask_line(
        answers.from_stdin,
        "image name",
        &format!("Image ({})", names.join(", ")),
    )
    .await?;
    if !names.contains(&image.as_str()) {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "{image:?} is not one of the security images ({}); nothing was sent",
                names.join(", ")
            ),
        ));
    }
    let phrase = ask_line(answers.from_stdin, "personal phrase", "Personal phrase").await?;
    let pin = match answers.from_stdin {
        true => prompt::stdin_line("PIN").await?,
        false => prompt::new_secret("New PIN", "The new PIN again").await?,
    };
    let pin = parse_pin(&pin)?;
    client
        .change_pin_code()
        .body(PinCodeChange {
            image_name: image,
            personal_phrase: phrase,
            pin,
            token,
        })
        .call()
        .await
        .map_err(|e| fail(e).hint("the PIN was not set"))?;
    eprintln!("etna: the PIN is set");
    Ok(())
}

/// The PIN as the API takes it: an integer. A leading zero would be lost
/// on the way, so such a PIN is refused rather than changed.
fn parse_pin(pin: &Secret) -> Result<SecretInteger, Failure> {
    let text = pin.expose();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::new(
            Exit::Usage,
            "the PIN must be digits only; nothing was sent",
        ));
    }
    if text.starts_with('0') {
        return Err(Failure::new(
            Exit::Usage,
            "the PIN cannot start with 0: the API takes it as a number, which would drop the zero; nothing was sent",
        ));
    }
    text.parse::<i64>()
        .map(SecretInteger::new)
        .map_err(|_| Failure::new(Exit::Usage, "the PIN is too long; nothing was sent"))
}

async fn ask_line(from_stdin: bool, what: &'static str, prompt: &str) -> Result<String, Failure> {
    match from_stdin {
        true => Ok(prompt::stdin_line(what).await?.expose().to_owned()),
        false => prompt::visible(prompt.to_owned()).await,
    }
}

/// Writes each image as `<dir>/<FileName>`; `dir` defaults to a fresh
/// temporary directory that is kept for the person to look at. A name that
/// is not a plain file name (a path, `..`) is skipped: the server chooses it.
fn write_images(images: &[SecurityImage], dir: Option<&Path>) -> Result<PathBuf, Failure> {
    let failed = |what: String| Failure::new(Exit::Unexpected, what);
    let dir = match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| failed(format!("cannot create {}: {e}", dir.display())))?;
            dir.to_path_buf()
        }
        None => tempfile::Builder::new()
            .prefix("etna-security-images-")
            .tempdir()
            .map_err(|e| failed(format!("cannot create a directory for the images: {e}")))?
            .keep(),
    };
    for image in images {
        let name = Path::new(&image.file_name);
        let plain = name.file_name().is_some_and(|n| n == name.as_os_str());
        if !plain || image.file_name.starts_with('.') {
            eprintln!("etna: skipped an image whose name is not a plain file name");
            continue;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(image.content.as_bytes())
            .map_err(|e| failed(format!("the image {} is not base64: {e}", image.file_name)))?;
        let path = dir.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(dir)
}

/// `etna pin`.
#[derive(Debug, clap::Args)]
pub struct PinArgs {
    #[command(subcommand)]
    pub command: PinCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum PinCommand {
    /// Set the signed-in trader's PIN: the security images are written as
    /// PNG files to look at, then the chosen image, a personal phrase and the
    /// PIN twice without echo. Needs a session (`etna auth login`, which
    /// also does this when sign-in asks for a PIN first).
    Set(SetArgs),
}

/// Options of `pin set`.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// Where to write the security images (default: a new temporary
    /// directory, named).
    #[arg(long, value_name = "DIR")]
    pub images_dir: Option<PathBuf>,
    /// Read the image name, the personal phrase and the PIN from stdin, one
    /// line each.
    #[arg(long)]
    pub stdin: bool,
}

pub async fn run(cli: &crate::options::Options, args: &PinArgs) -> Result<(), Failure> {
    let PinCommand::Set(set) = &args.command;
    let progress = prompt::Progress::default();
    prompt::interruptible(&progress, async {
        if !set.stdin && !prompt::interactive() {
            return Err(Failure::new(
                Exit::Usage,
                "no terminal to ask for the image, the phrase and the PIN: give them as three lines on stdin with --stdin",
            ));
        }
        let target = crate::sessions::connect_signed_in(cli).await?;
        let answers = Answers {
            from_stdin: set.stdin,
            images_dir: set.images_dir.clone(),
        };
        set_pin(&target.client, &target.base_url, &answers).await
    })
    .await
}
