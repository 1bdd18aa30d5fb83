//! bulwark-catalog integration tests (one test binary).

mod distro_info;
