//! `bulwark-registry`: an OCI Distribution 1.1 registry in one process: content-addressed blob
//! storage on the filesystem, metadata in SQLite, Docker token auth and Basic auth, Harbor-style
//! project roles and robot accounts, and a hash-chained audit log.
//!
//! It does not scan images (that is the scan pipeline's job; scan on push comes later) and it
//! does not speak the Docker v2 schema 1 manifest format.

pub mod access;
mod admin;
pub mod audit;
pub mod auth;
pub mod client;
pub mod error;
pub mod gc;
pub mod meta;
pub mod names;
pub mod server;
pub mod store;
pub mod tls;
mod v2;

pub use error::{ApiError, Code, RegistryError};
pub use server::{Config, Registry};
