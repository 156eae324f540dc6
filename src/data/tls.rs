//! The TLS a database connection uses, with rustls (ring, as octocrab uses it): verify-full checks the
//! certificate chain and the host name, verify-ca only the chain, require neither (encryption against
//! eavesdroppers, not against an impostor — reported as a warning by the caller).

use super::target::{Roots, TlsMode};
use crate::diag::SourceDiag;
use crate::redact::visible_line;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::sync::Arc;

/// A CA file is a few certificates; anything larger is refused rather than read into memory.
const MAX_CA_FILE: u64 = 4 * 1024 * 1024;

/// The rustls configuration for `mode` (None for `disable`).
pub fn client_config(mode: TlsMode, roots: &Roots) -> Result<Option<ClientConfig>, SourceDiag> {
    if mode == TlsMode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(format!("cannot set up TLS: {e}")))?;
    let config = match mode {
        TlsMode::Prefer | TlsMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified { algorithms }))
            .with_no_client_auth(),
        TlsMode::VerifyCa | TlsMode::VerifyFull => {
            let store = Arc::new(root_store(roots)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(store, provider)
                .build()
                .map_err(|e| tls_error(format!("cannot use the CA certificates: {e}")))?;
            if mode == TlsMode::VerifyFull {
                builder.with_webpki_verifier(webpki).with_no_client_auth()
            } else {
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(ChainOnly(webpki)))
                    .with_no_client_auth()
            }
        }
        TlsMode::Disable => return Ok(None),
    };
    Ok(Some(config))
}

fn tls_error(message: String) -> SourceDiag {
    SourceDiag::plain("live/tls", message)
}

fn root_store(roots: &Roots) -> Result<RootCertStore, SourceDiag> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let shown = visible_line(&path.display().to_string()).into_owned();
            let size = std::fs::metadata(path)
                .map_err(|e| tls_error(format!("cannot read the CA file {shown}: {e}")))?
                .len();
            if size > MAX_CA_FILE {
                return Err(tls_error(format!(
                    "the CA file {shown} is {size} bytes: not a CA certificate file"
                )));
            }
            let pem = std::fs::read(path)
                .map_err(|e| tls_error(format!("cannot read the CA file {shown}: {e}")))?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert
                    .map_err(|e| tls_error(format!("the CA file {shown} is not valid PEM: {e}")))?;
                store.add(cert).map_err(|e| {
                    tls_error(format!(
                        "the CA file {shown} holds a certificate rustls refuses: {e}"
                    ))
                })?;
            }
            if store.is_empty() {
                return Err(tls_error(format!(
                    "the CA file {shown} holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)"
                )));
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(tls_error(
                    "no trusted CA certificates found on this system to verify the database".into(),
                )
                .with_help(
                    "pass the database provider's CA with --ca-file (or sslrootcert= in the URL)",
                ));
            }
        }
    }
    Ok(store)
}

/// `sslmode=verify-ca`: the chain must verify; the name on the certificate is not compared.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `sslmode=require` (and `prefer`): encrypted, the certificate taken as offered — libpq's meaning. The
/// handshake's signatures are still checked, so the session key belongs to whoever holds the certificate.
#[derive(Debug)]
struct Unverified {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
