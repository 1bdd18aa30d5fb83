//! Integration tests of bulwark-registry: a registry served on 127.0.0.1 (one per test
//! process), exercised over real HTTP.

mod access_matrix;
mod audit_log;
mod clients;
mod common;
mod conformance;
mod faults;
mod governance;
mod oras;
mod postgres;
mod tls;
