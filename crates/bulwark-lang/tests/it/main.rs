//! Integration tests of bulwark-lang, one binary (links once).

mod behaviour;
mod corpus;
mod fuzz;
mod reference_tools;
