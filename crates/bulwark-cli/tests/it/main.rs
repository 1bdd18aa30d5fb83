//! Integration tests of the `bulwark` binary, one test binary (faster to link than one per
//! file): each module checks one verb or one image end to end.

mod all_ecosystems;
mod bad_input;
mod cli;
mod common;
mod layout;
mod sbom_formats;
mod scan;
mod scan_image;
