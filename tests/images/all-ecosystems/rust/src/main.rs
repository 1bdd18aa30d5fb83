//! A tiny program whose only purpose is to carry a `cargo auditable` dependency list.
use smallvec::SmallVec;

fn main() {
    let mut v: SmallVec<[u32; 4]> = SmallVec::new();
    v.extend(1..=3);
    let re = regex::Regex::new(r"^\d+$").map(|r| r.is_match("42")).unwrap_or(false);
    let now = time::get_time();
    println!("{} {} {}", v.len(), re, now.sec > 0);
}
