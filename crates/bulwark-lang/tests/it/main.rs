//! Integration tests of bulwark-lang, one binary (links once).

mod behaviour;
mod corpus;
mod formats;
mod fuzz;
mod reference_tools;
