//! Integration tests of `bulwark-report`, one binary: the scan writers on the shared sample
//! report, against goldens and the SARIF schema.

mod scan_reports;
