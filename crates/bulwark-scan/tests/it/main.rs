//! Integration tests of `bulwark-scan`, one binary: the demo image scanned through the library
//! gives the CLI's golden findings, progress events follow the stages, and a cancelled scan
//! stops with `ScanError::Cancelled`.

mod common;
mod control;
mod demo;
