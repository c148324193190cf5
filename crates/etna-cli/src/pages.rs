//! The items of every page of a paged operation (one whose answer the spec
//! marks as a page, `x-etna-page`), one JSON object per line (NDJSON) on
//! stdout: what `etna api OP --all` prints, and what any command that lists
//! every page calls. Nothing here names an operation.

use std::io::Write;

use etna_client::dispatch::JsonArgs;

use crate::exact::Json;
use etna_client::futures_util::TryStreamExt;
use etna_client::{Dispatch, GeneratedClient, OperationSpec};

use crate::failure::{self, Exit, Failure};

/// Prints every item of every page of `doc` (a paged operation of `client`)
/// called with `args`, one per line as compact JSON with every digit the
/// answer had, secret fields as `<secret>` unless `show_secrets`. Each line
/// is written as soon as its page is read, one page held at a time; on an
/// error the lines before it stay printed, and the error (through
/// `failure::from_call`, `base_url` naming the API in its advice) is
/// returned. Returns how many items were printed.
pub async fn print_all_items<C: Dispatch + GeneratedClient + Sync>(
    client: &C,
    doc: &OperationSpec,
    args: &JsonArgs,
    show_secrets: bool,
    base_url: &str,
) -> Result<u64, Failure> {
    let mut items = client
        .dispatch_items(doc.id, args)
        .ok_or_else(|| not_paged::<C>(doc.id))?;
    let mut printed = 0;
    let mut warned = false;
    while let Some(item) = items
        .try_next()
        .await
        .map_err(|e| failure::from_call(&e, base_url))?
    {
        // Read from the item's exact text, as `etna api` reads an answer:
        // every digit kept, keys in the order the answer had them.
        let item = Json::parse(&item.json).unwrap_or(Json::Null);
        let shown = match show_secrets {
            true => item,
            false => {
                let secrets = &doc.answer_secrets;
                let redacted = item.clone().redacted(
                    secrets.body,
                    secrets.properties,
                    etna_client::AnswerSecrets::SHOWN_AS,
                );
                if redacted != item && !warned {
                    warned = true;
                    eprintln!(
                        "etna: secret fields are shown as {}; --show-secrets prints them",
                        etna_client::AnswerSecrets::SHOWN_AS
                    );
                }
                redacted
            }
        };
        let line = shown.compact();
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")
            .and_then(|()| stdout.flush())
            .map_err(|e| Failure::new(Exit::Unexpected, format!("cannot write to stdout: {e}")))?;
        printed += 1;
    }
    Ok(printed)
}

/// The usage error for `--all` on an operation that is not paged, naming
/// those that are.
pub fn not_paged<C: GeneratedClient>(operation: &str) -> Failure {
    let paged: Vec<&str> = C::OPERATIONS
        .iter()
        .filter(|op| op.paged)
        .map(|op| op.id)
        .collect();
    Failure::new(
        Exit::Usage,
        format!(
            "--all reads every page of a paged operation, and {operation} answers in one piece; the paged operations are: {}",
            if paged.is_empty() {
                "none".to_owned()
            } else {
                paged.join(", ")
            }
        ),
    )
}
