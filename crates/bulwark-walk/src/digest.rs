//! Content digests (`sha256:...`, `sha512:...`) and a reader that hashes what passes through it.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sha2::{Digest as _, Sha256, Sha512};

/// A parsed, algorithm-qualified digest as used by OCI (`sha256:<64 hex>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

/// The digest algorithms OCI registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// SHA-256.
    Sha256,
    /// SHA-512.
    Sha512,
}

/// Why a digest string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestParseError {
    /// No `algorithm:` prefix.
    #[error("digest `{0}` has no algorithm prefix")]
    NoAlgorithm(String),
    /// An algorithm other than sha256 or sha512.
    #[error("digest algorithm `{0}` is not supported (sha256 and sha512 are)")]
    Unsupported(String),
    /// Wrong length or a non-hex character.
    #[error("digest `{0}` is not well formed")]
    Malformed(String),
}

impl Digest {
    /// Parse `sha256:<hex>` / `sha512:<hex>`; the hex must be lower case and of the right length
    /// (the OCI spec's rule, so that one blob has exactly one name).
    pub fn parse(s: &str) -> Result<Self, DigestParseError> {
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| DigestParseError::NoAlgorithm(s.to_string()))?;
        let (algorithm, len) = match alg {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            other => return Err(DigestParseError::Unsupported(other.to_string())),
        };
        if hex.len() != len
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(DigestParseError::Malformed(s.to_string()));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The hex part.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Digest of a byte slice.
    pub fn of(algorithm: Algorithm, data: &[u8]) -> Self {
        let mut h = Hasher::new(algorithm);
        h.update(data);
        h.finish()
    }
}

impl std::fmt::Display for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let alg = match self.algorithm {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        };
        write!(f, "{alg}:{}", self.hex)
    }
}

/// An incremental hasher for one algorithm.
#[derive(Clone)]
pub enum Hasher {
    /// SHA-256 state.
    Sha256(Sha256),
    /// SHA-512 state.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hasher.
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// Feed bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest {
                algorithm: Algorithm::Sha256,
                hex: hex::encode(h.finalize()),
            },
            Hasher::Sha512(h) => Digest {
                algorithm: Algorithm::Sha512,
                hex: hex::encode(h.finalize()),
            },
        }
    }
}

/// A reader that hashes and counts every byte read through it. The count is shared so that a
/// reader further down the chain (the decompressor's consumer) can compare compressed and
/// decompressed sizes.
pub struct HashingReader<R> {
    inner: R,
    hasher: Option<Hasher>,
    count: Arc<AtomicU64>,
}

impl<R: Read> HashingReader<R> {
    /// Wrap `inner`, hashing with `algorithm` (or only counting when `None`).
    pub fn new(inner: R, algorithm: Option<Algorithm>) -> Self {
        HashingReader {
            inner,
            hasher: algorithm.map(Hasher::new),
            count: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A handle on the number of bytes read so far.
    pub fn counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.count)
    }

    /// Stop and return the digest of everything read (None when only counting).
    pub fn finish(self) -> Option<Digest> {
        self.hasher.map(Hasher::finish)
    }

    /// The wrapped reader.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(h) = self.hasher.as_mut() {
            h.update(buf.get(..n).unwrap_or_default());
        }
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_hashes() {
        let d = Digest::of(Algorithm::Sha256, b"hello");
        assert_eq!(
            d.to_string(),
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(Digest::parse(&d.to_string()).unwrap(), d);
        assert!(matches!(
            Digest::parse("md5:abc"),
            Err(DigestParseError::Unsupported(_))
        ));
        assert!(matches!(
            Digest::parse("sha256:ABC"),
            Err(DigestParseError::Malformed(_))
        ));
        assert!(matches!(
            Digest::parse("abc"),
            Err(DigestParseError::NoAlgorithm(_))
        ));
        let d512 = Digest::of(Algorithm::Sha512, b"");
        assert!(d512.to_string().starts_with("sha512:cf83e135"));
        let mut r = HashingReader::new(&b"hello"[..], Some(Algorithm::Sha256));
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(r.counter().load(Ordering::Relaxed), 5);
        assert_eq!(r.finish().unwrap(), d);
    }
}
