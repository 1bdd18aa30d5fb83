//! Integration tests of bulwark-os, one binary (links once).

mod apk;
mod apk_repository_tags;
mod common;
mod debian_rootfs;
mod dpkg;
mod formats;
mod no_panic;
mod rpm;
mod rpm_cli;
mod view;
