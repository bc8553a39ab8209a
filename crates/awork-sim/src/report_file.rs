//! A report file written whole once the run has its report (`check --junit FILE`): nothing is
//! written to FILE before, so a run that ends without a report (stopped by a signal, nothing
//! answering at the URL) leaves FILE as it was, or absent.
//!
//! A regular file, new or existing, is written as a file of the run's own beside it and renamed
//! onto it once whole, so that a reader never sees half a report; the run's file is removed when
//! the run ends without a report. Anything else (a symbolic link, kept as it is, such as
//! `/dev/stdout`; a device such as `/dev/null`; a named pipe) is opened before the run, without
//! truncating it, and written at the end (a regular file it leads to emptied first); it is never
//! removed. Either way a path that cannot be written is refused before the run.

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// Where a report will go, checked and prepared before the run.
#[derive(Debug)]
pub struct ReportFile {
    /// The path as given, for messages.
    path: PathBuf,
    target: Target,
}

/// How the report reaches the path.
#[derive(Debug)]
enum Target {
    /// A regular file, or none yet: the report is written to `staging`, then renamed onto the
    /// path.
    Replaced(Staging),
    /// Not a regular file itself: written in place at the end.
    InPlace(File),
}

/// The file of the run's own beside the destination, removed when dropped unless renamed.
#[derive(Debug)]
struct Staging {
    path: PathBuf,
    file: File,
    renamed: bool,
}

impl ReportFile {
    /// Prepares `path` for a report; an error naming it when it cannot be written. Nothing is
    /// written to `path` itself.
    pub fn prepare(path: &Path) -> anyhow::Result<ReportFile> {
        let cannot = || format!("{}: cannot create", path.display());
        // Opened as the report will be written, without creating or truncating anything: a
        // directory, a read-only file or a link that leads nowhere is refused now.
        let open = || {
            OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(cannot)
        };
        let target = match std::fs::symlink_metadata(path) {
            Ok(metadata) if metadata.is_file() => {
                open()?;
                Target::Replaced(
                    Staging::beside(path, Some(metadata.permissions())).with_context(cannot)?,
                )
            }
            Ok(_) => Target::InPlace(open()?),
            // `report.xml/` names a directory, which a file cannot be.
            Err(_) if path.as_os_str().as_encoded_bytes().ends_with(b"/") => {
                Target::InPlace(open()?)
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                Target::Replaced(Staging::beside(path, None).with_context(cannot)?)
            }
            Err(error) => return Err(error).with_context(cannot),
        };
        Ok(ReportFile {
            path: path.to_owned(),
            target,
        })
    }

    /// Writes `report` to the path: the run's file, once whole, renamed onto it, or the path
    /// written in place.
    pub fn write(self, report: &[u8]) -> anyhow::Result<()> {
        let cannot = || format!("{}: cannot write", self.path.display());
        match self.target {
            Target::InPlace(mut file) => {
                // A regular file behind a link may hold a longer report; a device or a pipe
                // cannot be emptied.
                if file.metadata().is_ok_and(|metadata| metadata.is_file()) {
                    file.set_len(0).with_context(cannot)?;
                }
                file.write_all(report)
                    .and_then(|()| file.flush())
                    .with_context(cannot)
            }
            Target::Replaced(mut staging) => {
                staging.file.write_all(report).with_context(cannot)?;
                std::fs::rename(&staging.path, &self.path).with_context(cannot)?;
                staging.renamed = true;
                Ok(())
            }
        }
    }
}

impl Staging {
    /// A new file beside `destination` (`.NAME.awork-sim-PID.tmp`), with `permissions` (those of
    /// the file it will replace) or the usual ones of a new file.
    fn beside(destination: &Path, permissions: Option<Permissions>) -> io::Result<Staging> {
        let name = destination
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not the path of a file"))?;
        let mut staging_name = std::ffi::OsString::from(".");
        staging_name.push(name);
        staging_name.push(format!(".awork-sim-{}.tmp", std::process::id()));
        let path = destination.with_file_name(staging_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        let staging = Staging {
            path,
            file,
            renamed: false,
        };
        if let Some(permissions) = permissions {
            staging.file.set_permissions(permissions)?;
        }
        Ok(staging)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.renamed {
            // Nothing is left to do about a file that cannot be removed.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh, empty directory of the test's own, removed when dropped.
    struct Folder(PathBuf);

    impl Folder {
        fn new(name: &str) -> Folder {
            let path = std::env::temp_dir().join(format!(
                "awork-sim-report-file-{}-{name}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir(&path).unwrap();
            Folder(path)
        }

        /// The names in it, sorted.
        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(&self.0)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn a_new_file_appears_only_whole_and_not_at_all_without_a_report() {
        let folder = Folder::new("new");
        let path = folder.0.join("report.xml");
        let report = ReportFile::prepare(&path).unwrap();
        assert!(!path.exists());
        drop(report);
        assert!(folder.names().is_empty(), "{:?}", folder.names());

        let report = ReportFile::prepare(&path).unwrap();
        report.write(b"<testsuites/>").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<testsuites/>");
        assert_eq!(folder.names(), ["report.xml"]);
    }

    #[test]
    fn an_existing_file_is_untouched_until_replaced_and_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let folder = Folder::new("existing");
        let path = folder.0.join("report.xml");
        std::fs::write(&path, "the last report").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        drop(ReportFile::prepare(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the last report");
        assert_eq!(folder.names(), ["report.xml"]);

        let report = ReportFile::prepare(&path).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the last report");
        report.write(b"the new one").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "the new one");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        assert_eq!(folder.names(), ["report.xml"]);
    }

    #[test]
    fn a_link_is_kept_and_the_file_it_leads_to_written_only_at_the_end() {
        let folder = Folder::new("link");
        let file = folder.0.join("target.xml");
        let link = folder.0.join("link.xml");
        std::fs::write(&file, "the last report, a long one").unwrap();
        std::os::unix::fs::symlink("target.xml", &link).unwrap();
        drop(ReportFile::prepare(&link).unwrap());
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "the last report, a long one"
        );
        let report = ReportFile::prepare(&link).unwrap();
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "the last report, a long one"
        );
        report.write(b"the new one").unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "the new one");
        assert_eq!(folder.names(), ["link.xml", "target.xml"]);
        let nowhere = folder.0.join("nowhere.xml");
        std::os::unix::fs::symlink("missing.xml", &nowhere).unwrap();
        assert!(ReportFile::prepare(&nowhere).is_err());
    }

    #[test]
    fn a_device_is_written_in_place_and_never_removed() {
        drop(ReportFile::prepare(Path::new("/dev/null")).unwrap());
        ReportFile::prepare(Path::new("/dev/null"))
            .unwrap()
            .write(b"<testsuites/>")
            .unwrap();
        assert!(Path::new("/dev/null").exists());
        let error = ReportFile::prepare(Path::new("/dev/full"))
            .unwrap()
            .write(b"<testsuites/>")
            .unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "/dev/full: cannot write: No space left on device (os error 28)"
        );
    }

    #[test]
    fn a_path_that_cannot_be_written_is_refused_naming_it() {
        let folder = Folder::new("refused");
        let missing = folder.0.join("no/such/report.xml");
        let error = ReportFile::prepare(&missing).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            format!(
                "{}: cannot create: No such file or directory (os error 2)",
                missing.display()
            )
        );
        assert!(ReportFile::prepare(&folder.0.join("report.xml/")).is_err());
        assert_eq!(folder.names(), Vec::<String>::new());
        let error = ReportFile::prepare(&folder.0).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            format!(
                "{}: cannot create: Is a directory (os error 21)",
                folder.0.display()
            )
        );
    }
}
