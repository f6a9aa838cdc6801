//! The whole log as one POSIX ustar archive (`/log/{trial}/bundle.tar`), so
//! that an auditor with nothing but the URL gets what `spire trial bundle`
//! writes: `curl …/bundle.tar | tar x -C DIR; spire trial verify --bundle DIR`.

/// A ustar archive of `(path, bytes)` files (paths of at most 100 bytes;
/// directories are made by `tar` as it extracts).
pub fn archive<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for (path, bytes) in files {
        let mut header = [0u8; 512];
        if path.len() > 100 {
            return None;
        }
        header[..path.len()].copy_from_slice(path.as_bytes());
        field(&mut header[100..108], 0o644);
        field(&mut header[108..116], 0);
        field(&mut header[116..124], 0);
        field(&mut header[124..136], bytes.len() as u64);
        field(&mut header[136..148], 0);
        header[156] = b'0';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        // The checksum counts its own field as eight spaces.
        header[148..156].copy_from_slice(b"        ");
        let sum: u64 = header.iter().map(|&b| u64::from(b)).sum();
        let checksum = format!("{sum:06o}\0 ");
        header[148..156].copy_from_slice(checksum.as_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(bytes);
        out.resize(out.len().next_multiple_of(512), 0);
    }
    // Two empty blocks end the archive.
    out.resize(out.len() + 1024, 0);
    Some(out)
}

/// An octal number, zero-padded, ending in NUL, filling `slot`.
fn field(slot: &mut [u8], value: u64) {
    let text = format!("{value:0width$o}\0", width = slot.len() - 1);
    slot.copy_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GNU tar, a reader Spire did not write, lists and extracts the archive.
    #[test]
    fn gnu_tar_extracts_the_archive() {
        let dir = std::env::temp_dir().join(format!("spire-tar-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = archive([
            ("info", b"trial x\n".as_slice()),
            ("tile/0/000.p/3", &[7u8; 96]),
        ])
        .unwrap();
        assert_eq!(bytes.len() % 512, 0);
        let file = dir.join("log.tar");
        std::fs::write(&file, &bytes).unwrap();
        let Ok(status) = std::process::Command::new("tar")
            .arg("-xf")
            .arg(&file)
            .arg("-C")
            .arg(&dir)
            .status()
        else {
            println!("tar not found: the archive was not extracted by GNU tar");
            return;
        };
        assert!(status.success());
        assert_eq!(std::fs::read(dir.join("info")).unwrap(), b"trial x\n");
        assert_eq!(
            std::fs::read(dir.join("tile/0/000.p/3")).unwrap(),
            [7u8; 96]
        );
        assert!(archive(std::iter::once(("x".repeat(101).as_str(), b"".as_slice()))).is_none());
    }
}
