use std::process::ExitCode;

use etna_codegen::{check, outputs, workspace_root, write};

#[derive(clap::Args)]
pub struct Args {
    /// Write nothing; exit non-zero and show a diff when a generated file is stale.
    #[arg(long)]
    check: bool,
}

pub fn run(args: Args) -> ExitCode {
    let root = workspace_root();
    let (files, took) = match outputs(&root) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if args.check {
        let stale = check(&root, &files);
        for s in &stale {
            print!("{}", s.diff);
        }
        if stale.is_empty() {
            println!(
                "generated files are up to date ({} checked in {took:.2?})",
                files.len()
            );
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "error: {} generated file(s) are stale: {}\n  fix: run `cargo xtask codegen` and commit the result",
            stale.len(),
            stale
                .iter()
                .map(|s| s.path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return ExitCode::FAILURE;
    }
    match write(&root, &files) {
        Ok(written) if written.is_empty() => {
            println!("generated files are up to date; generation took {took:.2?}");
            ExitCode::SUCCESS
        }
        Ok(written) => {
            for path in &written {
                println!("updated {}", path.display());
            }
            println!(
                "generation took {took:.2?}; now run `cargo test` and review the snapshot diffs"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
