//! Content type of an attachment from its first bytes.
//!
//! The type a sender declares is only a claim (an `.exe` sent as
//! `application/pdf` is the classic trick), so the ticket layer checks
//! attachments against the sniffed type. Only the formats customers really
//! send are recognised; anything else is `None` and treated as unknown.

/// Signatures at the start of a file and the type they prove.
const SIGNATURES: &[(&[u8], &str)] = &[
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "application/x-ole-storage",
    ),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
    (b"\x1f\x8b", "application/gzip"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
];

/// The type proven by the bytes, if they carry a known signature; text
/// that is valid UTF-8 without control characters is `text/plain`.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if let Some((_, mime)) = SIGNATURES
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
    {
        return Some(*mime);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some("video/mp4");
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return Some("image/webp");
    }
    looks_like_text(bytes).then_some("text/plain")
}

fn looks_like_text(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && std::str::from_utf8(bytes).is_ok_and(|text| {
            text.chars()
                .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        })
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn known_signatures_are_recognised() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3"), Some("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"MZ\x90\0\x03"), Some("application/x-msdownload"));
    }

    #[test]
    fn hebrew_text_is_text_and_random_bytes_are_unknown() {
        assert_eq!(sniff("קבלה מספר 7".as_bytes()), Some("text/plain"));
        assert_eq!(sniff(b"\x00\x01\x02\x03"), None);
        assert_eq!(sniff(b""), None);
    }
}
