//! TLS for `replay --database`, configured as libpq configures it.
//!
//! `sslmode` and `sslrootcert` come from the URL's query (`?sslmode=verify-full&sslrootcert=
//! ca.pem`), else from `PGSSLMODE` and `PGSSLROOTCERT`, with libpq's meanings: `disable`
//! (plaintext), `allow` and `prefer` (the default: TLS when the server offers it, else
//! plaintext), `require` (TLS; the certificate is checked only when a root certificate is
//! given), `verify-ca` (the chain up to a trusted root, not the host name) and `verify-full`
//! (chain and host name). The roots are a PEM file (read like every other input, size-capped),
//! `~/.postgresql/root.crt` when it exists and none is named, or `system` — the bundled
//! webpki (Mozilla) roots, with which libpq accepts only `verify-full`. Any other query
//! parameter is an error. The handshake is rustls with the ring provider, the one the HTTP
//! client already links, and [`tokio_postgres_rustls`] hands it to the `postgres` client
//! (with SCRAM channel binding when the server offers it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::pgpass::{percent_decode, Target};
use crate::load::source::SourceFile;

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Mode {
    const NAMES: [(&'static str, Mode); 6] = [
        ("disable", Mode::Disable),
        ("allow", Mode::Allow),
        ("prefer", Mode::Prefer),
        ("require", Mode::Require),
        ("verify-ca", Mode::VerifyCa),
        ("verify-full", Mode::VerifyFull),
    ];

    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, mode)| *mode == self)
            .map_or("prefer", |(name, _)| name)
    }

    fn parse(text: &str, from: &str) -> Result<Mode, String> {
        Self::NAMES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, mode)| *mode)
            .ok_or_else(|| {
                format!(
                    "{from}: sslmode '{text}' is not one of disable, allow, prefer, require, verify-ca, verify-full"
                )
            })
    }
}

/// Where the trusted roots come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Roots {
    /// A PEM file of CA certificates.
    File(PathBuf),
    /// `sslrootcert=system`: the bundled webpki (Mozilla) roots.
    System,
}

/// The TLS settings of one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub mode: Mode,
    pub roots: Option<Roots>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            mode: Mode::Prefer,
            roots: None,
        }
    }
}

/// What the certificate check is, once mode and roots are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Encrypted, certificate not checked (libpq's `prefer` and `require` without roots).
    None,
    /// The chain up to a trusted root; any host name.
    Chain,
    /// The chain and the host name.
    Full,
}

impl Settings {
    /// The settings from the URL's query (the text after `?`, if any), then the environment
    /// (`env` looks a variable up), then libpq's defaults; `default_root` is
    /// `~/.postgresql/root.crt` when that file exists.
    pub fn resolve(
        query: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
        default_root: Option<PathBuf>,
    ) -> Result<Settings, String> {
        let mut mode = None;
        let mut root = None;
        for pair in query.unwrap_or_default().split('&') {
            if pair.is_empty() {
                continue;
            }
            let (key, value) = pair.split_once('=').ok_or_else(|| {
                format!("--database: parameter '{pair}' has no value; write KEY=VALUE after '?'")
            })?;
            let key = percent_decode(key, "parameter name")?;
            let value = percent_decode(value, &format!("parameter '{key}'"))?;
            let slot = match key.as_str() {
                "sslmode" => &mut mode,
                "sslrootcert" => &mut root,
                "password" => {
                    return Err("--database carries a password, which mixcost does not read from a URL (it would show in `ps` and shell history)\n  = help: remove it from the URL; set PGPASSWORD, or add a line host:port:database:user:password to ~/.pgpass (mode 0600)".to_string())
                }
                _ => {
                    return Err(format!(
                        "--database: parameter '{key}' is not supported\n  = help: the URL takes sslmode and sslrootcert after '?' (as libpq: ?sslmode=verify-full&sslrootcert=ca.pem)"
                    ))
                }
            };
            if slot.is_some() {
                return Err(format!(
                    "--database: parameter '{key}' is given twice; keep one"
                ));
            }
            if value.is_empty() {
                return Err(format!(
                    "--database: parameter '{key}' is empty; give a value or leave it out"
                ));
            }
            *slot = Some(value);
        }
        let nonempty = |name: &str| env(name).filter(|value| !value.is_empty());
        let mode = match (mode, nonempty("PGSSLMODE")) {
            (Some(text), _) => Some(Mode::parse(&text, "--database")?),
            (None, Some(text)) => Some(Mode::parse(&text, "PGSSLMODE")?),
            (None, None) => None,
        };
        let roots = match root.or_else(|| nonempty("PGSSLROOTCERT")) {
            Some(text) if text == "system" => Some(Roots::System),
            Some(text) => Some(Roots::File(PathBuf::from(text))),
            None => default_root.map(Roots::File),
        };
        let mode = match (mode, &roots) {
            // libpq: the system roots make verify-full the default, and refuse weaker modes
            // (any public CA can sign a certificate for some other host).
            (None, Some(Roots::System)) => Mode::VerifyFull,
            (Some(mode), Some(Roots::System)) if mode != Mode::VerifyFull => {
                return Err(format!(
                    "--database: sslmode={} may not be used with sslrootcert=system\n  = help: use sslmode=verify-full (as libpq requires), or name a CA file in sslrootcert",
                    mode.name()
                ))
            }
            (mode, _) => mode.unwrap_or(Mode::Prefer),
        };
        if matches!(mode, Mode::VerifyCa | Mode::VerifyFull) && roots.is_none() {
            return Err(format!(
                "--database: sslmode={} checks the server's certificate, and no root certificate was given (~/.postgresql/root.crt does not exist)\n  = help: name the CA's PEM file with sslrootcert=FILE in the URL or PGSSLROOTCERT, use sslrootcert=system for publicly signed servers, or sslmode=require to encrypt without checking the certificate",
                mode.name()
            ));
        }
        Ok(Settings { mode, roots })
    }

    /// The certificate check this connection makes.
    pub fn check(&self) -> Check {
        match (self.mode, &self.roots) {
            (Mode::VerifyFull, _) => Check::Full,
            (Mode::VerifyCa, _) => Check::Chain,
            // libpq: with a root certificate at hand, require (and prefer) check the chain.
            (Mode::Require | Mode::Prefer | Mode::Allow, Some(_)) => Check::Chain,
            _ => Check::None,
        }
    }

    /// How the settings read in a message.
    pub fn shown(&self) -> String {
        match &self.roots {
            None => format!("sslmode={}", self.mode.name()),
            Some(Roots::System) => format!("sslmode={}, sslrootcert=system", self.mode.name()),
            Some(Roots::File(path)) => format!(
                "sslmode={}, sslrootcert={}",
                self.mode.name(),
                path.display()
            ),
        }
    }

    /// The client's TLS mode and connector; reads the root certificates.
    pub fn connector(&self) -> Result<(postgres::config::SslMode, MakeRustlsConnect), String> {
        let ssl_mode = match self.mode {
            Mode::Disable => postgres::config::SslMode::Disable,
            Mode::Allow | Mode::Prefer => postgres::config::SslMode::Prefer,
            Mode::Require | Mode::VerifyCa | Mode::VerifyFull => postgres::config::SslMode::Require,
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.check() {
            Check::None => Arc::new(Unchecked(provider.clone())),
            check => {
                let roots = match &self.roots {
                    Some(Roots::File(path)) => read_roots(path)?,
                    Some(Roots::System) => RootCertStore {
                        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                    },
                    None => return Err("no root certificate to check the server against".into()),
                };
                let webpki =
                    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                        .build()
                        .map_err(|error| format!("cannot use the root certificates: {error}"))?;
                if check == Check::Chain {
                    Arc::new(ChainOnly(webpki))
                } else {
                    webpki
                }
            }
        };
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|error| format!("cannot set up TLS: {error}"))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        Ok((ssl_mode, MakeRustlsConnect::new(config)))
    }
}

/// The settings for `query` from this process's environment and home folder.
pub fn from_environment(query: Option<&str>) -> Result<Settings, String> {
    let default_root = std::env::var_os("HOME")
        .map(|home| Path::new(&home).join(".postgresql").join("root.crt"))
        .filter(|path| path.is_file());
    Settings::resolve(query, &|name| std::env::var(name).ok(), default_root)
}

/// The CA certificates of a PEM file, read through the capped input reader.
fn read_roots(path: &Path) -> Result<RootCertStore, String> {
    let shown = path.display();
    let source = SourceFile::read(path).map_err(|diagnostic| {
        let help = diagnostic.help.as_deref().map_or(String::new(), |help| format!("{help}; "));
        format!(
            "sslrootcert: {}\n  = help: {help}name the CA's certificate file (PEM) in sslrootcert or PGSSLROOTCERT",
            diagnostic.message
        )
    })?;
    let mut store = RootCertStore::empty();
    for (index, certificate) in CertificateDer::pem_slice_iter(source.text.as_bytes()).enumerate() {
        let certificate = certificate.map_err(|error| {
            format!("sslrootcert '{shown}': certificate {} cannot be read: {error}\n  = help: the file must hold PEM certificates (-----BEGIN CERTIFICATE-----)", index + 1)
        })?;
        store.add(certificate).map_err(|error| {
            format!(
                "sslrootcert '{shown}': certificate {} is not a usable CA certificate: {error}",
                index + 1
            )
        })?;
    }
    if store.is_empty() {
        return Err(format!(
            "sslrootcert '{shown}' holds no certificate\n  = help: the file must hold the CA's certificate in PEM (-----BEGIN CERTIFICATE-----), as `openssl x509 -outform PEM` writes it"
        ));
    }
    Ok(store)
}

/// libpq's `require` without a root certificate: the channel is encrypted and the handshake
/// signature still checked, the certificate itself is not.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
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
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// libpq's `verify-ca`: the whole webpki check (chain, validity, usage) except the host name,
/// which webpki checks last.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
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

/// The rustls error behind a failed connection, if there is one.
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(found) = error.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        // An `io::Error` wrapping another error reports the wrapped one's source, not the
        // wrapped error itself.
        if let Some(found) = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(found);
        }
        current = error.source();
    }
    None
}

/// A TLS failure worded for the user, or `None` when `error` is not one.
pub fn describe(error: &postgres::Error, target: &Target, settings: &Settings) -> Option<String> {
    let text = error.to_string();
    let source = std::error::Error::source(error)
        .map(|s| s.to_string())
        .unwrap_or_default();
    let place = target.shown();
    let settings_shown = settings.shown();
    if source.contains("server does not support TLS") {
        return Some(format!(
            "cannot connect to {place}: the server does not offer TLS, and {settings_shown} requires it\n  = help: turn TLS on at the server (ssl = on, with ssl_cert_file and ssl_key_file, in postgresql.conf), or connect with sslmode=prefer or sslmode=disable"
        ));
    }
    let rustls = rustls_error(error);
    if rustls.is_none() && !text.contains("TLS") {
        return None;
    }
    let roots = match &settings.roots {
        Some(Roots::File(path)) => format!("the CA in '{}'", path.display()),
        Some(Roots::System) => "the system's trusted roots".to_string(),
        None => "the trusted roots".to_string(),
    };
    let unchecked = if settings.mode == Mode::VerifyCa || settings.mode == Mode::VerifyFull {
        "or use sslmode=require without sslrootcert to encrypt without checking the certificate"
    } else {
        "or leave sslrootcert out (PGSSLROOTCERT, ~/.postgresql/root.crt too) to encrypt without checking the certificate"
    };
    let message = match rustls {
        Some(rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        )) => format!(
            "cannot connect to {place}: the server's certificate is not valid for the host name '{}' ({settings_shown})\n  = help: connect with a host name the certificate names (openssl s_client -starttls postgres -connect HOST:PORT shows it), or use sslmode=verify-ca to check the chain but not the name",
            target.host
        ),
        Some(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer | CertificateError::BadSignature,
        )) => format!(
            "cannot connect to {place}: the server's certificate is not trusted: it is not signed by {roots} ({settings_shown})\n  = help: name the CA that signed the server's certificate with sslrootcert=FILE (PEM) in the URL or PGSSLROOTCERT, {unchecked}"
        ),
        Some(problem @ rustls::Error::InvalidCertificate(_)) => format!(
            "cannot connect to {place}: the server's certificate is refused: {problem} ({settings_shown})\n  = help: check the server's certificate (its dates, its key usage, the chain it sends) and sslrootcert, {unchecked}"
        ),
        Some(other) => format!(
            "cannot connect to {place}: the TLS handshake failed: {other} ({settings_shown})\n  = help: check the server's ssl settings (ssl_min_protocol_version, its certificate and key) and sslmode; sslmode=disable connects without TLS"
        ),
        None => format!(
            "cannot connect to {place}: {text}: {source} ({settings_shown})\n  = help: check sslmode and sslrootcert, and the server's ssl settings"
        ),
    };
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(query: Option<&str>, env: &[(&str, &str)]) -> Result<Settings, String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::resolve(
            query,
            &|name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            None,
        )
    }

    #[test]
    fn the_default_is_prefer_without_a_certificate_check() {
        let settings = resolve(None, &[]).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!(settings.check(), Check::None);
        assert_eq!(resolve(Some(""), &[]).unwrap(), Settings::default());
    }

    #[test]
    fn every_libpq_mode_parses_and_allow_acts_as_prefer() {
        for (name, mode) in Mode::NAMES {
            let query = format!("sslmode={name}&sslrootcert=ca.pem");
            let settings = resolve(Some(&query), &[]).unwrap();
            assert_eq!(settings.mode, mode);
            assert_eq!(mode.name(), name);
            assert_eq!(settings.roots, Some(Roots::File("ca.pem".into())));
        }
        let allow = resolve(Some("sslmode=allow"), &[]).unwrap();
        assert_eq!(
            allow.connector().unwrap().0,
            postgres::config::SslMode::Prefer
        );
        let error = resolve(Some("sslmode=verify_full"), &[]).unwrap_err();
        assert!(
            error.contains("'verify_full'") && error.contains("verify-full"),
            "{error}"
        );
    }

    #[test]
    fn checks_follow_libpq() {
        let check = |query: &str| resolve(Some(query), &[]).unwrap().check();
        assert_eq!(check("sslmode=disable"), Check::None);
        assert_eq!(check("sslmode=require"), Check::None);
        // As libpq: a root certificate makes require check the chain.
        assert_eq!(check("sslmode=require&sslrootcert=ca.pem"), Check::Chain);
        assert_eq!(check("sslmode=verify-ca&sslrootcert=ca.pem"), Check::Chain);
        assert_eq!(check("sslmode=verify-full&sslrootcert=ca.pem"), Check::Full);
        // A default ~/.postgresql/root.crt counts as a named root.
        let settings = Settings::resolve(
            Some("sslmode=verify-full"),
            &|_| None,
            Some(PathBuf::from("/home/u/.postgresql/root.crt")),
        )
        .unwrap();
        assert_eq!(
            settings.roots,
            Some(Roots::File("/home/u/.postgresql/root.crt".into()))
        );
    }

    #[test]
    fn the_url_wins_over_the_environment() {
        let env = [("PGSSLMODE", "require"), ("PGSSLROOTCERT", "/etc/ca.pem")];
        let settings = resolve(None, &env).unwrap();
        assert_eq!(settings.mode, Mode::Require);
        assert_eq!(settings.roots, Some(Roots::File("/etc/ca.pem".into())));
        let settings = resolve(
            Some("sslmode=disable&sslrootcert=%2Ftmp%2Fmy%20ca.pem"),
            &env,
        )
        .unwrap();
        assert_eq!(settings.mode, Mode::Disable);
        assert_eq!(settings.roots, Some(Roots::File("/tmp/my ca.pem".into())));
        let error = resolve(None, &[("PGSSLMODE", "on")]).unwrap_err();
        assert!(error.starts_with("PGSSLMODE: sslmode 'on'"), "{error}");
        // Empty variables are unset, as libpq takes them.
        assert_eq!(
            resolve(None, &[("PGSSLMODE", "")]).unwrap(),
            Settings::default()
        );
    }

    #[test]
    fn system_roots_mean_verify_full() {
        let settings = resolve(Some("sslrootcert=system"), &[]).unwrap();
        assert_eq!(settings.mode, Mode::VerifyFull);
        assert_eq!(settings.roots, Some(Roots::System));
        assert!(resolve(Some("sslmode=verify-full&sslrootcert=system"), &[]).is_ok());
        let error = resolve(Some("sslmode=require&sslrootcert=system"), &[]).unwrap_err();
        assert!(error.contains("verify-full"), "{error}");
        let error = resolve(
            None,
            &[("PGSSLMODE", "verify-ca"), ("PGSSLROOTCERT", "system")],
        )
        .unwrap_err();
        assert!(error.contains("sslmode=verify-ca"), "{error}");
    }

    #[test]
    fn verification_without_roots_is_refused_before_connecting() {
        for mode in ["verify-ca", "verify-full"] {
            let error = resolve(Some(&format!("sslmode={mode}")), &[]).unwrap_err();
            assert!(error.contains("sslrootcert=FILE"), "{error}");
            assert!(error.contains("sslmode=require"), "{error}");
        }
    }

    #[test]
    fn unknown_empty_repeated_and_malformed_parameters_are_errors() {
        let error = resolve(Some("sslmode=require&sslcert=client.pem"), &[]).unwrap_err();
        assert!(error.contains("'sslcert' is not supported"), "{error}");
        assert!(resolve(Some("connect_timeout=5"), &[]).is_err());
        let error = resolve(Some("password=hunter2"), &[]).unwrap_err();
        assert!(
            error.contains("PGPASSWORD") && !error.contains("hunter2"),
            "{error}"
        );
        assert!(resolve(Some("sslmode"), &[])
            .unwrap_err()
            .contains("no value"));
        assert!(resolve(Some("sslmode="), &[])
            .unwrap_err()
            .contains("empty"));
        assert!(resolve(Some("sslmode=require&sslmode=disable"), &[])
            .unwrap_err()
            .contains("twice"));
        assert!(resolve(Some("sslrootcert=%zz"), &[])
            .unwrap_err()
            .contains("%-escape"));
    }

    #[test]
    fn root_files_must_hold_certificates() {
        let folder = tempfile::tempdir().unwrap();
        let empty = folder.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let error = read_roots(&empty).unwrap_err();
        assert!(error.contains("holds no certificate"), "{error}");
        let missing = folder.path().join("missing.pem");
        let error = read_roots(&missing).unwrap_err();
        assert!(error.contains("does not exist"), "{error}");
        let broken = folder.path().join("broken.pem");
        std::fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = read_roots(&broken).unwrap_err();
        assert!(error.contains("certificate 1"), "{error}");
        let settings = Settings {
            mode: Mode::VerifyFull,
            roots: Some(Roots::File(missing)),
        };
        assert!(settings.connector().is_err());
        // The bundled roots load.
        let system = Settings {
            mode: Mode::VerifyFull,
            roots: Some(Roots::System),
        };
        assert!(system.connector().is_ok());
    }
}
