//! The data folder: `samlsim.db` and the IdP's signing key and certificate, made
//! on first start and reused after. Git never sees it (`.samlsim/` is ignored).

use std::path::{Path, PathBuf};

use samlsim_crypto::{Identity, IdentityParams, generate_identity as generate};
use samlsim_service::{Clock, Store, StoreError};

const DATABASE: &str = "samlsim.db";
const KEY: &str = "idp-signing-key.pem";
const CERTIFICATE: &str = "idp-signing-cert.pem";
const COGNITO_KEY: &str = "cognito-signing-key.pem";
const COGNITO_CERTIFICATE: &str = "cognito-signing-cert.pem";
const COGNITO_ENCRYPTION_KEY: &str = "cognito-encryption-key.pem";
const COGNITO_ENCRYPTION_CERTIFICATE: &str = "cognito-encryption-cert.pem";

/// Why the data folder could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    #[error("cannot use the data folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the signing key in {path} is unusable: {source}")]
    Key {
        path: PathBuf,
        source: samlsim_crypto::CryptoError,
    },
    #[error("generating the IdP signing key failed: {0}")]
    Generate(samlsim_crypto::CryptoError),
    #[error(
        "the data folder {path} is in use by another samlsim (process {holder}); stop it first, or give this one another --data folder"
    )]
    InUse { path: PathBuf, holder: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The lock file: held exclusively by the process using the folder, and holding
/// its PID so the next one can say who.
const LOCK: &str = "samlsim.lock";

/// A data folder, locked for as long as this value (or a clone) lives.
#[derive(Debug, Clone)]
pub struct DataFolder {
    path: PathBuf,
    /// Held, not read: dropping the last clone releases the lock.
    _lock: std::sync::Arc<std::fs::File>,
}

impl DataFolder {
    /// Uses (creating) `path`, locked against every other samlsim. With `fresh`,
    /// what samlsim keeps there is removed first (only once the lock is ours, so
    /// never under a running emulator); other files are left alone.
    pub fn open(path: &Path, fresh: bool) -> Result<DataFolder, DataError> {
        let io = |source| DataError::Io {
            path: path.to_owned(),
            source,
        };
        std::fs::create_dir_all(path).map_err(io)?;
        let lock = lock(path)?;
        if fresh {
            for name in [
                DATABASE,
                "samlsim.db-wal",
                "samlsim.db-shm",
                KEY,
                CERTIFICATE,
                COGNITO_KEY,
                COGNITO_CERTIFICATE,
                COGNITO_ENCRYPTION_KEY,
                COGNITO_ENCRYPTION_CERTIFICATE,
            ] {
                match std::fs::remove_file(path.join(name)) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
                    _ => {}
                }
            }
        }
        Ok(DataFolder {
            path: path.to_owned(),
            _lock: std::sync::Arc::new(lock),
        })
    }

    /// The database file.
    pub fn database_path(&self) -> PathBuf {
        self.path.join(DATABASE)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the database exists yet (a first start seeds it from the config).
    pub fn is_new(&self) -> bool {
        !self.path.join(DATABASE).exists()
    }

    pub fn open_store(&self) -> Result<Store, DataError> {
        Ok(Store::open(&self.path.join(DATABASE))?)
    }

    /// Whether the IdP's signing key is already in the folder (else the next
    /// start makes one).
    pub fn has_signing_identity(&self) -> bool {
        self.path.join(KEY).exists() && self.path.join(CERTIFICATE).exists()
    }

    /// The IdP's signing key and certificate, generated on first use.
    pub fn signing_identity(&self, clock: &dyn Clock) -> Result<Identity, DataError> {
        self.identity(clock, KEY, CERTIFICATE, generate_identity)
    }

    /// The Cognito user pools' token signing key (the `jwks.json` key) and its
    /// certificate (GetSigningCertificate), generated on first use.
    pub fn cognito_identity(&self, clock: &dyn Clock) -> Result<Identity, DataError> {
        self.identity(
            clock,
            COGNITO_KEY,
            COGNITO_CERTIFICATE,
            generate_cognito_identity,
        )
    }

    /// The Cognito user pools' encryption key pair (EncryptedResponses: the
    /// certificate is `ActiveEncryptionCertificate`), generated on first use.
    pub fn cognito_encryption_identity(&self, clock: &dyn Clock) -> Result<Identity, DataError> {
        self.identity(
            clock,
            COGNITO_ENCRYPTION_KEY,
            COGNITO_ENCRYPTION_CERTIFICATE,
            generate_cognito_encryption_identity,
        )
    }

    fn identity(
        &self,
        clock: &dyn Clock,
        key: &str,
        certificate: &str,
        generate_identity: fn(&dyn Clock) -> Result<Identity, DataError>,
    ) -> Result<Identity, DataError> {
        identity_at(&self.path, clock, key, certificate, generate_identity)
    }
}

/// The identity kept as `key` and `certificate` in `dir`, generated on first use.
fn identity_at(
    dir: &Path,
    clock: &dyn Clock,
    key: &str,
    certificate: &str,
    generate_identity: fn(&dyn Clock) -> Result<Identity, DataError>,
) -> Result<Identity, DataError> {
    {
        let key_path = dir.join(key);
        let cert_path = dir.join(certificate);
        if key_path.exists() && cert_path.exists() {
            let read = |p: &Path| {
                std::fs::read_to_string(p).map_err(|source| DataError::Io {
                    path: p.to_owned(),
                    source,
                })
            };
            return Identity::from_pem(&read(&key_path)?, &read(&cert_path)?).map_err(|source| {
                DataError::Key {
                    path: key_path.clone(),
                    source,
                }
            });
        }
        let identity = generate_identity(clock)?;
        write_private(&key_path, &identity.key.to_pkcs8_pem())?;
        std::fs::write(&cert_path, identity.certificate.to_pem()).map_err(|source| {
            DataError::Io {
                path: cert_path,
                source,
            }
        })?;
        Ok(identity)
    }
}

/// The user pools' signing (JWT) and encryption key pairs.
pub struct CognitoIdentities {
    pub signing: Identity,
    pub encryption: Identity,
}

/// The keys an in-memory emulator keeps between starts, in `dir` (made if
/// missing): the IdP's signing key, so an SP or IAM provider configured from an
/// earlier run still trusts it, and the user pools' keys, so an app's cached JWKS
/// and an IdP encrypting to the pool keep working (and a start does not spend
/// half a second making two RSA keys). Each is read, or generated and written
/// when absent or `fresh`.
pub struct CachedKeys {
    pub idp: Identity,
    pub cognito: CognitoIdentities,
    /// Whether the IdP key was made now.
    pub idp_is_new: bool,
}

pub fn cached_keys(dir: &Path, fresh: bool, clock: &dyn Clock) -> Result<CachedKeys, DataError> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let pairs = [
        (KEY, CERTIFICATE),
        (COGNITO_KEY, COGNITO_CERTIFICATE),
        (COGNITO_ENCRYPTION_KEY, COGNITO_ENCRYPTION_CERTIFICATE),
    ];
    if fresh {
        for path in pairs.iter().flat_map(|(k, c)| [dir.join(k), dir.join(c)]) {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(DataError::Io { path, source }),
            }
        }
    }
    let idp_is_new = !(dir.join(KEY).exists() && dir.join(CERTIFICATE).exists());
    Ok(CachedKeys {
        idp: identity_at(dir, clock, KEY, CERTIFICATE, generate_identity)?,
        cognito: CognitoIdentities {
            signing: identity_at(
                dir,
                clock,
                COGNITO_KEY,
                COGNITO_CERTIFICATE,
                generate_cognito_identity,
            )?,
            encryption: identity_at(
                dir,
                clock,
                COGNITO_ENCRYPTION_KEY,
                COGNITO_ENCRYPTION_CERTIFICATE,
                generate_cognito_encryption_identity,
            )?,
        },
        idp_is_new,
    })
}

/// Takes the folder's lock, or says which process holds it. The lock is the
/// operating system's (released when the process ends, however it ends), so a
/// crashed samlsim leaves nothing to clean up.
fn lock(folder: &Path) -> Result<std::fs::File, DataError> {
    use std::io::{Read, Seek, Write};
    let path = folder.join(LOCK);
    let io = |source| DataError::Io {
        path: path.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            // The PID is for the message only; an unreadable one still refuses.
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            return Err(DataError::InUse {
                path: folder.to_owned(),
                holder: if holder.is_empty() {
                    "unknown".into()
                } else {
                    holder.to_owned()
                },
            });
        }
        Err(std::fs::TryLockError::Error(source)) => return Err(io(source)),
    }
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    write!(file, "{}", std::process::id()).map_err(io)?;
    Ok(file)
}

/// A fresh RSA-2048 identity valid from a day before `clock`'s now for ten years
/// (the day's slack keeps a clock set slightly back from failing validity checks).
pub fn generate_identity(clock: &dyn Clock) -> Result<Identity, DataError> {
    generate_named(clock, "samlsim IdP signing", 86_400)
}

/// The same for the Cognito user pools' token signing key. Nothing checks this
/// certificate's dates (GetSigningCertificate hands it out), and an in-memory key
/// is shared by emulators whose clocks differ by years, so its window is wide.
pub fn generate_cognito_identity(clock: &dyn Clock) -> Result<Identity, DataError> {
    generate_named(
        clock,
        "samlsim Cognito user pool signing",
        30 * 365 * 86_400,
    )
}

/// The same for the Cognito user pools' encryption key pair.
pub fn generate_cognito_encryption_identity(clock: &dyn Clock) -> Result<Identity, DataError> {
    generate_named(
        clock,
        "samlsim Cognito user pool encryption",
        30 * 365 * 86_400,
    )
}

fn generate_named(clock: &dyn Clock, common_name: &str, slack: i64) -> Result<Identity, DataError> {
    let now = clock.now();
    generate(&IdentityParams {
        common_name,
        not_before: now - slack,
        not_after: now + slack.max(10 * 365 * 86_400),
        key_bits: 2048,
    })
    .map_err(DataError::Generate)
}

/// Writes a private key readable by its owner only. The mode is also set on the open
/// file, because the open-time mode only applies to a new file and an old one may
/// be world-readable.
pub fn write_private(path: &Path, contents: &str) -> Result<(), DataError> {
    use std::io::Write;
    let io = |source| DataError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory emulator's keys outlive it in the cache folder, the pool's
    /// as well as the IdP's; `fresh` replaces all three.
    #[test]
    fn cached_keys_are_kept_between_starts_and_fresh_replaces_them() {
        let dir = tempfile::tempdir().unwrap();
        let clock = samlsim_service::VirtualClock::frozen(1_768_467_600);
        let fingerprints = |keys: &CachedKeys| {
            [
                keys.idp.certificate.sha256_fingerprint(),
                keys.cognito.signing.certificate.sha256_fingerprint(),
                keys.cognito.encryption.certificate.sha256_fingerprint(),
            ]
        };
        let first = cached_keys(dir.path(), false, &clock).unwrap();
        assert!(first.idp_is_new);
        let again = cached_keys(dir.path(), false, &clock).unwrap();
        assert!(!again.idp_is_new);
        assert_eq!(fingerprints(&first), fingerprints(&again));
        let fresh = cached_keys(dir.path(), true, &clock).unwrap();
        assert!(fresh.idp_is_new);
        for (old, new) in fingerprints(&first).iter().zip(fingerprints(&fresh)) {
            assert_ne!(*old, new);
        }
    }

    #[test]
    fn hostile_data_folder_is_locked_against_a_second_samlsim() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataFolder::open(dir.path(), false).unwrap();
        std::fs::write(dir.path().join(DATABASE), b"live").unwrap();
        let err = DataFolder::open(dir.path(), true).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains(&format!(
                "in use by another samlsim (process {})",
                std::process::id()
            )),
            "{text}"
        );
        assert!(
            dir.path().join(DATABASE).exists(),
            "--fresh deleted under a live holder"
        );
        drop(first);
        let _again = DataFolder::open(dir.path(), true).unwrap();
        assert!(
            !dir.path().join(DATABASE).exists(),
            "--fresh starts over once the folder is free"
        );
    }
}
