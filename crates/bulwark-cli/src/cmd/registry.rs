//! `bulwark registry`: run the OCI registry (`bulwark-registry`) and administer a running one.
//! Argument parsing and printing only; the registry crate does the work.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use bulwark_registry::client::{find_credentials, AdminClient};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::cmd::{Format, GlobalArgs};
use crate::exit;

/// Arguments of `bulwark registry`.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    #[command(subcommand)]
    command: RegistryCommand,
}

#[derive(Debug, Subcommand)]
enum RegistryCommand {
    /// Serve an OCI Distribution 1.1 registry with role-based access and an audit log.
    Serve(ServeArgs),
    /// Manage projects (repository path prefixes with members).
    Project {
        #[command(subcommand)]
        command: ProjectCommand,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage project members.
    Member {
        #[command(subcommand)]
        command: MemberCommand,
    },
    /// Manage robot accounts.
    Robot {
        #[command(subcommand)]
        command: RobotCommand,
    },
    /// Collect unreferenced blobs while the registry serves (system admin).
    Gc {
        /// Report what would be deleted, delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Keep unreferenced blobs younger than this (uploads whose manifest is still coming).
        #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
        grace_seconds: i64,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Remove tags beyond a project's retention rules (a dry run unless --apply).
    Retention {
        /// Project.
        project: String,
        /// Keep the N most recently pushed tags of each repository.
        #[arg(long, value_name = "N")]
        keep_last: Option<usize>,
        /// Keep tags pushed within D days.
        #[arg(long, value_name = "D")]
        keep_days: Option<i64>,
        /// Delete the tags (default: only list them).
        #[arg(long)]
        apply: bool,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Read and check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:5000")]
    listen: String,
    /// Directory for blobs, upload sessions and the SQLite metadata.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Blobs and upload sessions in an S3-compatible bucket instead of DIR
    /// (s3://BUCKET[/PREFIX][?endpoint=URL&region=REGION]; credentials from AWS_* variables).
    #[arg(long, value_name = "URL")]
    storage: Option<String>,
    /// Metadata in PostgreSQL instead of DIR's SQLite (postgres://USER[:PASSWORD]@HOST[:PORT]/DB),
    /// shared by several registry processes (give them one shared DIR for blobs).
    #[arg(long, value_name = "URL")]
    metadata: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Accept manifests with foreign (non-distributable) layers.
    #[arg(long)]
    allow_foreign_layers: bool,
    /// Lifetime of issued tokens, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    token_ttl: i64,
    /// Password of the system admin `admin`, used on the first start only.
    #[arg(
        long,
        env = "BULWARK_REGISTRY_ADMIN_PASSWORD",
        hide_env_values = true,
        value_name = "PASSWORD"
    )]
    admin_password: Option<String>,
}

/// Where a running registry is and how to print its answers.
#[derive(Debug, Args)]
struct ClientArgs {
    /// The registry (http://HOST:PORT). Credentials come from BULWARK_REGISTRY_USER and
    /// BULWARK_REGISTRY_PASSWORD, else from ~/.docker/config.json (`docker login`).
    #[arg(
        long,
        env = "BULWARK_REGISTRY_SERVER",
        value_name = "URL",
        default_value = "http://127.0.0.1:5000"
    )]
    server: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum ProjectCommand {
    /// Set a project's storage quota and immutable tag patterns (system admin).
    Rules {
        /// Project.
        name: String,
        /// Storage quota in bytes (shared blobs counted once); none means unlimited.
        #[arg(long, value_name = "BYTES")]
        quota_bytes: Option<u64>,
        /// Tags matching this pattern (`*` is a wildcard) can be neither moved nor deleted; repeatable.
        #[arg(long, value_name = "PATTERN")]
        immutable: Vec<String>,
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Create a project (system admin).
    Create {
        /// Project name (the first path component of its repositories).
        name: String,
        /// Anyone, signed in or not, may pull.
        #[arg(long)]
        public: bool,
        #[command(flatten)]
        client: ClientArgs,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user (system admin).
    Create {
        /// User name.
        name: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the user a system administrator.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        client: ClientArgs,
    },
}

#[derive(Debug, Subcommand)]
enum MemberCommand {
    /// Give USER a ROLE in PROJECT: admin, maintainer, developer, reader, limited-guest.
    Add {
        /// Project.
        project: String,
        /// User.
        user: String,
        /// Role.
        role: String,
        #[command(flatten)]
        client: ClientArgs,
    },
}

#[derive(Debug, Subcommand)]
enum RobotCommand {
    /// Create a robot account in PROJECT; its secret is printed once.
    Create {
        /// Project.
        project: String,
        /// Robot name (the account is robot$PROJECT+NAME).
        name: String,
        /// Actions: pull, push, delete (comma-separated or repeated).
        #[arg(long, required = true, value_delimiter = ',')]
        scope: Vec<String>,
        /// Expire after this many days.
        #[arg(long, value_name = "DAYS")]
        expires_days: Option<i64>,
        #[command(flatten)]
        client: ClientArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 when entries were edited or removed.
    Verify {
        /// Check the database under DIR directly (no server needed).
        #[arg(long, value_name = "DIR", conflicts_with = "server")]
        root: Option<PathBuf>,
        /// Ask a running registry instead.
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print entries as JSON lines.
    Export {
        /// Read the database under DIR directly.
        #[arg(long, value_name = "DIR", conflicts_with = "server")]
        root: Option<PathBuf>,
        /// Ask a running registry instead.
        #[arg(long, value_name = "URL")]
        server: Option<String>,
        /// Only entries after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
    },
}

/// Run `bulwark registry ...`.
pub fn run(_global: &GlobalArgs, args: RegistryArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        RegistryCommand::Serve(a) => serve(a),
        RegistryCommand::Project {
            command:
                ProjectCommand::Create {
                    name,
                    public,
                    client,
                },
        } => {
            let v = admin(&client).post(
                "/api/v1/projects",
                &json!({ "name": name, "public": public }),
            )?;
            print(
                &client,
                &v,
                &format!(
                    "created project {name} ({})",
                    if public { "public" } else { "private" }
                ),
            )
        }
        RegistryCommand::Project {
            command:
                ProjectCommand::Rules {
                    name,
                    quota_bytes,
                    immutable,
                    client,
                },
        } => {
            let v = admin(&client).send(
                "PUT",
                &format!("/api/v1/projects/{name}/rules"),
                &json!({ "quota_bytes": quota_bytes, "immutable_tags": immutable }),
            )?;
            print(
                &client,
                &v,
                &format!(
                    "rules of {name}: quota {quota_bytes:?} bytes, immutable tags {immutable:?}"
                ),
            )
        }
        RegistryCommand::Gc {
            dry_run,
            grace_seconds,
            client,
        } => {
            let v = admin(&client).post(
                "/api/v1/gc",
                &json!({ "dry_run": dry_run, "grace_seconds": grace_seconds }),
            )?;
            let n = v["deleted"].as_array().map_or(0, Vec::len);
            let verb = if dry_run { "would delete" } else { "deleted" };
            print(
                &client,
                &v,
                &format!("{verb} {n} blobs, {} bytes", v["freed_bytes"]),
            )
        }
        RegistryCommand::Retention {
            project,
            keep_last,
            keep_days,
            apply,
            client,
        } => {
            let v = admin(&client).post(
                &format!("/api/v1/projects/{project}/retention"),
                &json!({ "keep_last": keep_last, "keep_days": keep_days, "dry_run": !apply }),
            )?;
            let mut text = String::new();
            for e in v["expired"].as_array().into_iter().flatten() {
                let verb = if apply { "deleted" } else { "would delete" };
                text.push_str(&format!(
                    "{verb} {}:{} ({})\n",
                    e["repo"].as_str().unwrap_or(""),
                    e["tag"].as_str().unwrap_or(""),
                    e["digest"].as_str().unwrap_or("")
                ));
            }
            if text.is_empty() {
                text.push_str("nothing to remove");
            }
            print(&client, &v, text.trim_end())
        }
        RegistryCommand::User {
            command:
                UserCommand::Create {
                    name,
                    password_stdin: _,
                    admin: is_admin,
                    client,
                },
        } => {
            let mut pw = String::new();
            std::io::stdin()
                .read_to_string(&mut pw)
                .context("reading the password from standard input")?;
            let pw = pw.trim_end_matches(['\n', '\r']);
            let v = admin(&client).post(
                "/api/v1/users",
                &json!({ "name": name, "password": pw, "admin": is_admin }),
            )?;
            print(&client, &v, &format!("created user {name}"))
        }
        RegistryCommand::Member {
            command:
                MemberCommand::Add {
                    project,
                    user,
                    role,
                    client,
                },
        } => {
            let v = admin(&client).post(
                &format!("/api/v1/projects/{project}/members"),
                &json!({ "user": user, "role": role }),
            )?;
            print(&client, &v, &format!("{user} is {role} in {project}"))
        }
        RegistryCommand::Robot {
            command:
                RobotCommand::Create {
                    project,
                    name,
                    scope,
                    expires_days,
                    client,
                },
        } => {
            let v = admin(&client).post(
                &format!("/api/v1/projects/{project}/robots"),
                &json!({ "name": name, "scopes": scope, "expires_in_days": expires_days }),
            )?;
            let text = format!(
                "robot: {}\nsecret: {}\n(the secret is shown only now; store it)",
                v["name"].as_str().unwrap_or(""),
                v["secret"].as_str().unwrap_or("")
            );
            print(&client, &v, &text)
        }
        RegistryCommand::Audit {
            command:
                AuditCommand::Verify {
                    root,
                    server,
                    format,
                },
        } => {
            let verdict: Value = match (root, server) {
                (Some(root), _) => {
                    let meta = bulwark_registry::meta::Meta::open(&root.join("registry.db"))
                        .with_context(|| {
                            format!("opening the registry database under {}", root.display())
                        })?;
                    serde_json::to_value(bulwark_registry::audit::verify(&meta)?)?
                }
                (None, Some(server)) => {
                    let c = AdminClient::new(&server, find_credentials(&server));
                    serde_json::from_str(&c.get_text("/api/v1/audit/verify")?)?
                }
                (None, None) => bail!("give --root DIR or --server URL"),
            };
            let problems = verdict["problems"].as_array().cloned().unwrap_or_default();
            if format == Format::Json {
                println!("{}", serde_json::to_string_pretty(&verdict)?);
            } else if problems.is_empty() {
                println!("audit log intact: {} entries", verdict["entries"]);
            } else {
                println!("audit log NOT intact ({} entries):", verdict["entries"]);
                for p in &problems {
                    println!("  {}", p.as_str().unwrap_or(""));
                }
            }
            Ok(if problems.is_empty() {
                ExitCode::from(exit::OK)
            } else {
                ExitCode::from(1)
            })
        }
        RegistryCommand::Audit {
            command:
                AuditCommand::Export {
                    root,
                    server,
                    after,
                },
        } => {
            match (root, server) {
                (Some(root), _) => {
                    let meta = bulwark_registry::meta::Meta::open(&root.join("registry.db"))
                        .with_context(|| {
                            format!("opening the registry database under {}", root.display())
                        })?;
                    for e in bulwark_registry::audit::entries(&meta, after, None)? {
                        println!("{}", serde_json::to_string(&e)?);
                    }
                }
                (None, Some(server)) => {
                    let c = AdminClient::new(&server, find_credentials(&server));
                    print!("{}", c.get_text(&format!("/api/v1/audit?after={after}"))?);
                }
                (None, None) => bail!("give --root DIR or --server URL"),
            }
            Ok(ExitCode::from(exit::OK))
        }
    }
}

fn admin(c: &ClientArgs) -> AdminClient {
    AdminClient::new(&c.server, find_credentials(&c.server))
}

fn print(c: &ClientArgs, v: &Value, text: &str) -> anyhow::Result<ExitCode> {
    match c.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(v)?),
        Format::Table => println!("{text}"),
    }
    Ok(ExitCode::from(exit::OK))
}

fn serve(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut cfg = bulwark_registry::Config::new(&a.root);
    cfg.admin_password = a.admin_password;
    cfg.allow_foreign_layers = a.allow_foreign_layers;
    cfg.token_ttl = a.token_ttl;
    cfg.tls = a.tls_cert.zip(a.tls_key);
    cfg.metadata = a.metadata;
    cfg.storage = a.storage;
    let scheme = if cfg.tls.is_some() { "https" } else { "http" };
    bulwark_registry::server::serve_blocking(cfg, &a.listen, |addr| {
        eprintln!(
            "bulwark registry listening on {scheme}://{addr} (root {})",
            a.root.display()
        );
    })?;
    Ok(ExitCode::from(exit::OK))
}
