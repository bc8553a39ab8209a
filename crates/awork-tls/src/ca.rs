//! The local certificate authority in the data folder, and the server certificate it signs.
//!
//! The CA is made once (`ca-key.pem`, owner-only, and `ca.pem`) and reused on every start, so a
//! client told to trust `ca.pem` keeps trusting it. Its X.509 name constraints permit only
//! [`SERVED_DNS_NAMES`] (with the names under them, as RFC 5280 reads a DNS name constraint) and
//! [`SERVED_IP_ADDRESSES`]: trusting it lets its key vouch for `api.awork.com` and loopback, and
//! for no other host. The server certificate is signed afresh with that CA on every start (a new
//! key, held in memory only); clients trust the CA, so they do not notice. Every start also checks the CA as a client would (the server certificate verifies
//! against `ca.pem` for each served name, and the CA's own dates, which webpki does not check on a
//! trust anchor but clients do), so a damaged, mismatched, expired or not yet valid CA is an error
//! that names its file rather than a handshake failure in someone's integration.
//!
//! The trust bundle (`trust-bundle.pem`) is written on every start: the platform's roots, as
//! rustls-native-certs finds them (`SSL_CERT_FILE` and `SSL_CERT_DIR` first, then the system
//! store), followed by the local CA. Clients pointed at it (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`,
//! `CURL_CA_BUNDLE`) still verify every other host.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CidrSubnet, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    NameConstraints, SanType,
};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{RootCertStore, ServerConfig};
use time::{Duration, OffsetDateTime};

use crate::{Error, SERVED_DNS_NAMES, SERVED_IP_ADDRESSES, io_error, write_file};

/// The CA certificate's file in the data folder: what clients are told to trust.
pub const CA_CERTIFICATE_FILE: &str = "ca.pem";
/// The CA key's file in the data folder (owner-only).
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The trust bundle's file in the data folder: the platform's roots, then the local CA.
pub const TRUST_BUNDLE_FILE: &str = "trust-bundle.pem";

/// How long a new CA is valid.
const CA_VALIDITY: Duration = Duration::days(3650);
/// How long a server certificate is valid: within the 398 days macOS and iOS accept.
const SERVER_VALIDITY: Duration = Duration::days(397);
/// How far back validity starts, for clocks that lag a little.
const CLOCK_SKEW: Duration = Duration::hours(1);

/// The local CA of a data folder, with the server configuration it signed.
pub struct LocalCa {
    ca_certificate_path: PathBuf,
    trust_bundle_path: PathBuf,
    is_new: bool,
    platform_roots: usize,
    server_config: Arc<ServerConfig>,
}

impl LocalCa {
    /// Loads the CA of `data_dir`, or makes one when there is none (the folder is created
    /// owner-only if missing, `ca-key.pem` owner-only); signs a server certificate for the served
    /// names with it; writes the trust bundle. A CA file that cannot be read, or a CA that does
    /// not verify the certificate it signs (a damaged file, a key that is not the certificate's,
    /// an expired CA), is an error naming the file.
    pub fn load_or_create(data_dir: &Path) -> Result<LocalCa, Error> {
        create_private_dir(data_dir)?;
        let ca_certificate_path = data_dir.join(CA_CERTIFICATE_FILE);
        let ca_key_path = data_dir.join(CA_KEY_FILE);
        let damaged = |path: &Path, problem: String| Error::Damaged {
            path: path.to_owned(),
            problem: format!(
                "{problem}: restore it, or delete {CA_CERTIFICATE_FILE} and {CA_KEY_FILE} in {} \
                 to make a new local CA (and trust the new one)",
                data_dir.display()
            ),
        };
        // `ca.pem` is written last: without it, a key is the rest of an interrupted first start.
        // A folder this user may not look into is that error, not a CA to make.
        let is_new = !is_there(&ca_certificate_path)?;
        if is_new {
            create_ca(&ca_key_path, &ca_certificate_path)?;
        } else if !is_there(&ca_key_path)? {
            // A copy of the folder without its secret: never an empty key made in its place.
            return Err(damaged(&ca_key_path, "missing".to_owned()));
        }
        // A key copied in, or left readable by an older version: its owner's alone again.
        crate::make_owner_only(&ca_key_path).map_err(io_error(&ca_key_path, "protect"))?;
        let ca_key_pem = read_text(&ca_key_path)?;
        let ca_certificate_pem = read_text(&ca_certificate_path)?;
        let ca_key = KeyPair::from_pem(&ca_key_pem)
            .map_err(|error| damaged(&ca_key_path, format!("not a private key ({error})")))?;
        let not_a_certificate =
            |error: &dyn std::fmt::Display| format!("not a CA certificate ({error})");
        let ca_certificate = CertificateDer::from_pem_slice(ca_certificate_pem.as_bytes())
            .map_err(|error| damaged(&ca_certificate_path, not_a_certificate(&error)))?;
        let issuer = Issuer::from_ca_cert_der(&ca_certificate, ca_key)
            .map_err(|error| damaged(&ca_certificate_path, not_a_certificate(&error)))?;
        // webpki takes a trust anchor's dates on trust; curl, Node and OpenSSL do not.
        check_validity(&ca_certificate, OffsetDateTime::now_utc())
            .map_err(|problem| damaged(&ca_certificate_path, problem))?;

        let server_key = KeyPair::generate().map_err(certificates)?;
        let server_certificate = server_params()
            .signed_by(&server_key, &issuer)
            .map_err(certificates)?;
        verify_as_a_client(&ca_certificate, server_certificate.der()).map_err(|problem| {
            let problem =
                format!("the local CA does not verify the certificate it signs ({problem})");
            damaged(&ca_certificate_path, problem)
        })?;

        let trust_bundle_path = data_dir.join(TRUST_BUNDLE_FILE);
        let platform_roots = write_trust_bundle(&trust_bundle_path, &ca_certificate)?;
        let server_key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let server_config = server_config(server_certificate.der().clone(), server_key)?;
        Ok(LocalCa {
            ca_certificate_path,
            trust_bundle_path,
            is_new,
            platform_roots,
            server_config,
        })
    }

    /// The CA certificate's file (PEM): what clients are told to trust.
    pub fn ca_certificate_path(&self) -> &Path {
        &self.ca_certificate_path
    }

    /// The trust bundle's file (PEM): the platform's roots, then the local CA.
    pub fn trust_bundle_path(&self) -> &Path {
        &self.trust_bundle_path
    }

    /// Whether this start made the CA (clients must be told to trust it).
    pub fn is_new(&self) -> bool {
        self.is_new
    }

    /// How many of the platform's roots the trust bundle holds; 0 means clients pointed at it
    /// verify no other host (`SSL_CERT_FILE` names a missing file, or no store was found).
    pub fn platform_roots(&self) -> usize {
        self.platform_roots
    }

    /// The TLS configuration of the server certificate (ALPN `http/1.1`), for the TLS port and
    /// for tunnels.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.server_config)
    }
}

fn certificates(error: impl std::fmt::Display) -> Error {
    Error::Certificates(error.to_string())
}

fn read_text(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(io_error(path, "read"))
}

/// Whether `path` exists; an error when that cannot be told (a folder this user may not read).
fn is_there(path: &Path) -> Result<bool, Error> {
    path.try_exists().map_err(io_error(path, "read"))
}

/// Creates `dir` (and missing parents) readable by its owner only; an existing folder keeps its
/// permissions (the files in it that hold secrets are made owner-only each on its own).
pub fn create_private_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|cause| {
        if dir.exists() && !dir.is_dir() {
            Error::Damaged {
                path: dir.to_owned(),
                problem: "not a folder: --data names the folder the workspace is kept in"
                    .to_owned(),
            }
        } else {
            io_error(dir, "create the folder")(cause)
        }
    })?;
    // A folder another user made (a `sudo serve` for port 443) is that error, named first.
    fs::read_dir(dir)
        .map(drop)
        .map_err(io_error(dir, "read the folder"))
}

/// Whether the CA certificate `certificate` is valid at `now`, as clients check it: an expired
/// CA, or one from the future (a clock set back), is refused by curl, Node and OpenSSL.
fn check_validity(certificate: &CertificateDer<'_>, now: OffsetDateTime) -> Result<(), String> {
    let (_, parsed) = x509_parser::parse_x509_certificate(certificate)
        .map_err(|error| format!("not a CA certificate ({error})"))?;
    let validity = parsed.validity();
    let (from, to) = (
        validity.not_before.to_datetime(),
        validity.not_after.to_datetime(),
    );
    let date = |at: OffsetDateTime| at.date().to_string();
    if now > to {
        Err(format!("the local CA expired on {}", date(to)))
    } else if now < from {
        Err(format!(
            "the local CA is valid only from {} (is this machine's clock right?)",
            date(from)
        ))
    } else {
        Ok(())
    }
}

/// Makes a new CA and writes its key, then its certificate.
fn create_ca(key_path: &Path, certificate_path: &Path) -> Result<(), Error> {
    let key = KeyPair::generate().map_err(certificates)?;
    let certificate = ca_params().self_signed(&key).map_err(certificates)?;
    write_file(key_path, key.serialize_pem().as_bytes(), true)?;
    write_file(certificate_path, certificate.pem().as_bytes(), false)
}

fn ca_params() -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "awork-sim");
    params.distinguished_name.push(
        DnType::CommonName,
        "awork-sim local CA (api.awork.com and loopback only)",
    );
    params.not_before = now - CLOCK_SKEW;
    params.not_after = now + CA_VALIDITY;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let dns_names = SERVED_DNS_NAMES
        .iter()
        .map(|name| GeneralSubtree::DnsName((*name).to_owned()));
    let ip_addresses = SERVED_IP_ADDRESSES.iter().map(|address| {
        let whole_address = if address.is_ipv4() { 32 } else { 128 };
        GeneralSubtree::IpAddress(CidrSubnet::from_addr_prefix(*address, whole_address))
    });
    params.name_constraints = Some(NameConstraints {
        permitted_subtrees: dns_names.chain(ip_addresses).collect(),
        excluded_subtrees: Vec::new(),
    });
    params
}

fn server_params() -> CertificateParams {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::default();
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, crate::AWORK_HOST);
    params.not_before = now - CLOCK_SKEW;
    params.not_after = now + SERVER_VALIDITY;
    params.subject_alt_names = SERVED_DNS_NAMES
        .iter()
        .map(|name| {
            SanType::DnsName(
                (*name)
                    .to_owned()
                    .try_into()
                    .expect("the served names are ASCII"),
            )
        })
        .chain(SERVED_IP_ADDRESSES.iter().copied().map(SanType::IpAddress))
        .collect();
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params
}

/// Verifies `server_certificate` against the CA alone, for every served name, as a client does.
fn verify_as_a_client(
    ca_certificate: &CertificateDer<'static>,
    server_certificate: &CertificateDer<'static>,
) -> Result<(), String> {
    let mut roots = RootCertStore::empty();
    roots
        .add(ca_certificate.clone())
        .map_err(|error| error.to_string())?;
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(|error| error.to_string())?;
    let names = SERVED_DNS_NAMES
        .iter()
        .map(|name| ServerName::try_from(*name).expect("the served names are valid"))
        .chain(SERVED_IP_ADDRESSES.iter().map(|&address| address.into()));
    for name in names {
        verifier
            .verify_server_cert(server_certificate, &[], &name, &[], UnixTime::now())
            .map_err(|error| format!("{}: {error}", name.to_str()))?;
    }
    Ok(())
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn server_config(
    certificate: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<ServerConfig>, Error> {
    let mut config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(certificates)?
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .map_err(certificates)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Writes the platform's roots (each once, without the local CA, which an earlier bundle read
/// through `SSL_CERT_FILE` holds) followed by the local CA; returns how many platform roots it
/// holds.
fn write_trust_bundle(
    path: &Path,
    ca_certificate: &CertificateDer<'static>,
) -> Result<usize, Error> {
    // Stores that cannot be read are reported as errors next to the roots that could; what
    // could be read is what a client of this environment trusts.
    let found = rustls_native_certs::load_native_certs().certs;
    let mut seen = std::collections::HashSet::new();
    let platform_roots: Vec<&CertificateDer<'static>> = found
        .iter()
        .filter(|&root| root != ca_certificate && seen.insert(root))
        .collect();
    let pems: Vec<pem::Pem> = platform_roots
        .iter()
        .copied()
        .chain([ca_certificate])
        .map(|certificate| pem::Pem::new("CERTIFICATE", certificate.as_ref()))
        .collect();
    // The line ending of `ca.pem` (rcgen's), so that the bundle ends with `ca.pem` byte for byte.
    let bundle = pem::encode_many_config(
        &pems,
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    );
    write_file(path, bundle.as_bytes(), false)?;
    Ok(platform_roots.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A data folder of this test run that does not exist yet.
    fn temporary_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("awork-tls-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_new_ca_is_made_once_and_reused() {
        let data = temporary_dir("reuse").join("nested");
        let first = LocalCa::load_or_create(&data).unwrap();
        assert!(first.is_new());
        let ca = fs::read(first.ca_certificate_path()).unwrap();
        let key = fs::read(data.join(CA_KEY_FILE)).unwrap();
        let second = LocalCa::load_or_create(&data).unwrap();
        assert!(!second.is_new());
        assert_eq!(fs::read(second.ca_certificate_path()).unwrap(), ca);
        assert_eq!(fs::read(data.join(CA_KEY_FILE)).unwrap(), key);
        assert_eq!(
            second.server_config().alpn_protocols,
            [b"http/1.1".to_vec()]
        );
        fs::remove_dir_all(data.parent().unwrap()).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_and_the_key_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let data = temporary_dir("modes");
        LocalCa::load_or_create(&data).unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join(CA_KEY_FILE)), 0o600);
        fs::remove_dir_all(&data).unwrap();
    }

    #[test]
    fn the_bundle_ends_with_the_local_ca_once() {
        let data = temporary_dir("bundle");
        let ca = LocalCa::load_or_create(&data).unwrap();
        let ca_pem = fs::read_to_string(ca.ca_certificate_path()).unwrap();
        let bundle = fs::read_to_string(ca.trust_bundle_path()).unwrap();
        assert!(bundle.ends_with(&ca_pem), "{bundle}");
        assert_eq!(bundle.matches(ca_pem.trim()).count(), 1);
        let certificates = CertificateDer::pem_slice_iter(bundle.as_bytes()).count();
        assert_eq!(certificates, ca.platform_roots() + 1);
        fs::remove_dir_all(&data).unwrap();
    }

    #[test]
    fn the_ca_signs_for_the_served_names_only() {
        let key = KeyPair::generate().unwrap();
        let ca_certificate = ca_params().self_signed(&key).unwrap();
        let issuer = Issuer::new(ca_params(), key);
        let mut params = server_params();
        params
            .subject_alt_names
            .push(SanType::DnsName("example.com".try_into().unwrap()));
        let other_key = KeyPair::generate().unwrap();
        let certificate = params.signed_by(&other_key, &issuer).unwrap();
        let problem = verify_as_a_client(ca_certificate.der(), certificate.der()).unwrap_err();
        assert!(problem.contains("api.awork.com"), "{problem}");
        let served = server_params().signed_by(&other_key, &issuer).unwrap();
        verify_as_a_client(ca_certificate.der(), served.der()).unwrap();
    }

    #[test]
    fn a_damaged_file_is_named() {
        let data = temporary_dir("damaged");
        LocalCa::load_or_create(&data).unwrap();
        let key = fs::read(data.join(CA_KEY_FILE)).unwrap();
        fs::write(data.join(CA_KEY_FILE), "not a key").unwrap();
        let error = LocalCa::load_or_create(&data).err().unwrap().to_string();
        assert!(
            error.contains(&format!("{CA_KEY_FILE}: not a private key"))
                && error.contains("delete"),
            "{error}"
        );
        fs::write(data.join(CA_KEY_FILE), key).unwrap();
        LocalCa::load_or_create(&data).unwrap();

        let other = KeyPair::generate().unwrap().serialize_pem();
        fs::write(data.join(CA_KEY_FILE), other).unwrap();
        let error = LocalCa::load_or_create(&data).err().unwrap().to_string();
        assert!(
            error.contains(&format!(
                "{CA_CERTIFICATE_FILE}: the local CA does not verify"
            )),
            "{error}"
        );

        fs::write(
            data.join(CA_CERTIFICATE_FILE),
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let error = LocalCa::load_or_create(&data).err().unwrap().to_string();
        assert!(
            error.contains(&format!("{CA_CERTIFICATE_FILE}: not a CA certificate")),
            "{error}"
        );
        fs::remove_dir_all(&data).unwrap();
    }

    #[test]
    fn a_missing_key_is_named_and_not_made() {
        let data = temporary_dir("keyless");
        LocalCa::load_or_create(&data).unwrap();
        fs::remove_file(data.join(CA_KEY_FILE)).unwrap();
        let error = LocalCa::load_or_create(&data).err().unwrap().to_string();
        assert!(
            error.contains(&format!("{CA_KEY_FILE}: missing")) && error.contains("restore it"),
            "{error}"
        );
        assert!(!data.join(CA_KEY_FILE).exists(), "no empty key made");
        fs::remove_dir_all(&data).unwrap();
    }

    #[test]
    fn a_file_given_as_the_folder_is_named() {
        let file = temporary_dir("file");
        fs::write(&file, "not a folder").unwrap();
        let error = LocalCa::load_or_create(&file).err().unwrap().to_string();
        assert!(
            error.ends_with("not a folder: --data names the folder the workspace is kept in"),
            "{error}"
        );
        fs::remove_file(&file).unwrap();
    }

    /// A CA made with the key of `data` and `params`, written over its `ca.pem`.
    fn replace_ca(data: &Path, params: &CertificateParams) {
        let key = KeyPair::from_pem(&fs::read_to_string(data.join(CA_KEY_FILE)).unwrap()).unwrap();
        let certificate = params.self_signed(&key).unwrap();
        fs::write(data.join(CA_CERTIFICATE_FILE), certificate.pem()).unwrap();
    }

    #[test]
    fn a_ca_out_of_its_dates_is_named() {
        let data = temporary_dir("dates");
        LocalCa::load_or_create(&data).unwrap();
        let now = OffsetDateTime::now_utc();
        let mut expired = ca_params();
        (expired.not_before, expired.not_after) =
            (now - Duration::days(800), now - Duration::days(400));
        replace_ca(&data, &expired);
        let error = LocalCa::load_or_create(&data).err().unwrap().to_string();
        let expiry = (now - Duration::days(400)).date().to_string();
        assert!(
            error.contains(&format!(
                "{CA_CERTIFICATE_FILE}: the local CA expired on {expiry}"
            )),
            "{error}"
        );
        let mut early = ca_params();
        (early.not_before, early.not_after) =
            (now + Duration::days(400), now + Duration::days(800));
        replace_ca(&data, &early);
        let error = LocalCa::load_or_create(&data).err().unwrap().to_string();
        assert!(error.contains("the local CA is valid only from"), "{error}");
        // The same key, within its dates again: served.
        replace_ca(&data, &ca_params());
        LocalCa::load_or_create(&data).unwrap();
        fs::remove_dir_all(&data).unwrap();
    }
}
