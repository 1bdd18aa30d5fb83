//! `bulwark`: the command-line shell over Bulwark's crates. Each verb lives in its own module
//! under `cmd/`; this file only parses arguments, sets up logging and maps results to exit codes.

mod cmd;
mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Bulwark: find what is inside container images, what is vulnerable, and what is misconfigured.
///
/// Every verb that reads an image takes the same TARGET syntax:
///
///   docker-archive:PATH                a tar written by `docker save` (classic or OCI layout)
///   oci:PATH[:TAG|@DIGEST]             an OCI image layout, directory or tar
///   docker:NAME                        an image in the local Docker Engine
///   registry:HOST/REPO[:TAG|@DIGEST]   an image in an OCI distribution registry
///   rootfs:DIR                         an unpacked root filesystem
///   fs:DIR                             a project directory
///   sbom:FILE                          an SBOM file (CycloneDX, SPDX or Syft JSON); sbom, scan
///
/// Without a prefix, Bulwark guesses from what PATH is.
#[derive(Debug, Parser)]
// Verbatim: clap would otherwise fold the TARGET table into one paragraph.
#[command(
    name = "bulwark",
    version,
    about = "Bulwark: find what is inside container images, what is vulnerable, and what is \
             misconfigured.",
    long_about,
    propagate_version = true,
    verbatim_doc_comment
)]
struct Cli {
    #[command(flatten)]
    global: cmd::GlobalArgs,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show an image's platform, digest, config and layers.
    Inspect(cmd::inspect::InspectArgs),
    /// List every package inside a target (software bill of materials).
    Sbom(cmd::sbom::SbomArgs),
    /// Find known vulnerabilities in a target's packages.
    Scan(cmd::scan::ScanArgs),
    /// Audit Dockerfiles, Compose files, Kubernetes manifests and daemon.json.
    Config(cmd::config::ConfigArgs),
    /// Build, update and inspect the advisory database.
    Db(cmd::db::DbArgs),
    /// Audit a live Docker host against the CIS Docker Benchmark.
    Host(cmd::host::HostArgs),
    /// Run an OCI registry with role-based access and an audit log, and administer it.
    Registry(cmd::registry::RegistryArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    cmd::init_logging(&cli.global);
    bulwark_input::set_max_size(cli.global.max_input_size);
    let result = match cli.command {
        Command::Inspect(args) => cmd::inspect::run(&cli.global, args),
        Command::Sbom(args) => cmd::sbom::run(&cli.global, args),
        Command::Scan(args) => cmd::scan::run(&cli.global, args),
        Command::Config(args) => cmd::config::run(&cli.global, args),
        Command::Db(args) => cmd::db::run(&cli.global, args),
        Command::Host(args) => cmd::host::run(&cli.global, args),
        Command::Registry(args) => cmd::registry::run(&cli.global, args),
    };
    match result {
        Ok(code) => code,
        // `bulwark ... | head`: the reader left; nothing more to say, and not an error.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

/// Whether `err` comes from writing to a pipe whose reader has gone.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
