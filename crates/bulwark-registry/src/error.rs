//! Errors: the OCI Distribution error codes sent to clients, and the library's own error type.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An error code from the OCI Distribution Specification 1.1 (section "Error Codes"), plus
/// `TOOMANYREQUESTS`, with the HTTP status the spec pairs it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Blob unknown to registry.
    BlobUnknown,
    /// Blob upload invalid.
    BlobUploadInvalid,
    /// Blob upload unknown to registry.
    BlobUploadUnknown,
    /// Provided digest did not match uploaded content.
    DigestInvalid,
    /// Manifest references a manifest or blob unknown to registry.
    ManifestBlobUnknown,
    /// Manifest invalid.
    ManifestInvalid,
    /// Manifest unknown to registry.
    ManifestUnknown,
    /// Invalid repository name.
    NameInvalid,
    /// Repository name not known to registry.
    NameUnknown,
    /// Provided length did not match content length.
    SizeInvalid,
    /// Authentication required.
    Unauthorized,
    /// Requested access to the resource is denied.
    Denied,
    /// The operation is unsupported.
    Unsupported,
    /// Too many requests.
    TooManyRequests,
    /// An internal failure (`UNKNOWN`, as distribution answers 500s).
    Unknown,
}

impl Code {
    /// The code as the spec spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::BlobUnknown => "BLOB_UNKNOWN",
            Code::BlobUploadInvalid => "BLOB_UPLOAD_INVALID",
            Code::BlobUploadUnknown => "BLOB_UPLOAD_UNKNOWN",
            Code::DigestInvalid => "DIGEST_INVALID",
            Code::ManifestBlobUnknown => "MANIFEST_BLOB_UNKNOWN",
            Code::ManifestInvalid => "MANIFEST_INVALID",
            Code::ManifestUnknown => "MANIFEST_UNKNOWN",
            Code::NameInvalid => "NAME_INVALID",
            Code::NameUnknown => "NAME_UNKNOWN",
            Code::SizeInvalid => "SIZE_INVALID",
            Code::Unauthorized => "UNAUTHORIZED",
            Code::Denied => "DENIED",
            Code::Unsupported => "UNSUPPORTED",
            Code::TooManyRequests => "TOOMANYREQUESTS",
            Code::Unknown => "UNKNOWN",
        }
    }

    /// The HTTP status the registry answers with for this code.
    pub fn status(self) -> StatusCode {
        match self {
            Code::BlobUnknown
            | Code::BlobUploadUnknown
            | Code::ManifestUnknown
            | Code::NameUnknown => StatusCode::NOT_FOUND,
            Code::ManifestBlobUnknown => StatusCode::BAD_REQUEST,
            Code::BlobUploadInvalid
            | Code::DigestInvalid
            | Code::ManifestInvalid
            | Code::NameInvalid
            | Code::SizeInvalid => StatusCode::BAD_REQUEST,
            Code::Unauthorized => StatusCode::UNAUTHORIZED,
            Code::Denied => StatusCode::FORBIDDEN,
            Code::Unsupported => StatusCode::METHOD_NOT_ALLOWED,
            Code::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Code::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answered to a client: a spec error code, a message, an optional status override
/// (416 for out-of-order chunks, 413 for oversized manifests) and an optional
/// `WWW-Authenticate` challenge.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The spec error code.
    pub code: Code,
    /// Human-readable message.
    pub message: String,
    /// Status to send instead of the code's default.
    pub status: Option<StatusCode>,
    /// `WWW-Authenticate` header value for 401 answers.
    pub challenge: Option<String>,
}

impl ApiError {
    /// An error with the code's default status.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            status: None,
            challenge: None,
        }
    }

    /// The same error with another HTTP status.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// The same error with a `WWW-Authenticate` challenge.
    pub fn with_challenge(mut self, challenge: String) -> Self {
        self.challenge = Some(challenge);
        self
    }

    /// An internal failure: logged in full, answered as a bare 500 without detail.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {err}");
        ApiError::new(Code::Unknown, "internal error")
    }
}

impl From<RegistryError> for ApiError {
    fn from(err: RegistryError) -> Self {
        ApiError::internal(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status.unwrap_or(self.code.status());
        let body = serde_json::json!({
            "errors": [{ "code": self.code.as_str(), "message": self.message, "detail": null }]
        });
        let mut resp = (status, axum::Json(body)).into_response();
        if let Some(ch) = self.challenge.and_then(|c| HeaderValue::from_str(&c).ok()) {
            resp.headers_mut().insert("www-authenticate", ch);
        }
        resp
    }
}

/// Library errors (storage, metadata, configuration).
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A filesystem operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The path involved.
        path: std::path::PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The metadata database failed.
    #[error("metadata database: {0}")]
    Db(#[from] rusqlite::Error),
    /// The PostgreSQL metadata database failed.
    #[error("metadata database (postgres): {0}")]
    Pg(#[from] postgres::Error),
    /// The S3-compatible blob store failed.
    #[error("blob storage (s3): {0}")]
    Remote(#[from] object_store::Error),
    /// A configuration value is unusable.
    #[error("configuration: {0}")]
    Config(String),
    /// Password hashing failed.
    #[error("password hash: {0}")]
    Hash(String),
    /// The audit log is not intact.
    #[error("audit log: {0}")]
    Audit(String),
}

/// Shorthand for an I/O error with its path.
pub(crate) fn io_err<'a>(
    what: &'static str,
    path: &'a std::path::Path,
) -> impl FnOnce(std::io::Error) -> RegistryError + 'a {
    move |source| RegistryError::Io {
        what,
        path: path.to_path_buf(),
        source,
    }
}
