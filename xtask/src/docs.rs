//! `cargo xtask docs`: the spec rendered as one self-contained HTML page.

use std::path::PathBuf;
use std::process::ExitCode;

use etna_codegen::workspace_root;
use etna_spec_review::{DOCS_DIR, render_docs};

#[derive(clap::Args)]
pub struct Args {
    /// The spec to render, instead of openapi/etna-trader.yaml.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let root = workspace_root();
    let spec = crate::lint::spec_path(&root, args.spec);
    let rendered = crate::lint::node_tools(&root)
        .and_then(|tools| render_docs(&tools, &spec, &root.join(DOCS_DIR)));
    match rendered {
        Ok(page) => {
            println!("API reference written to {}", page.display());
            println!("  open it in a browser: file://{}", page.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
