//! Random identifiers and tokens in Better Auth's form: 32 characters of [A-Za-z0-9].

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LENGTH: usize = 32;

/// 32 characters drawn uniformly from [A-Za-z0-9] (about 190 bits) with the OS's
/// cryptographic generator.
pub fn alphanumeric_id() -> String {
    let mut out = String::with_capacity(LENGTH);
    let mut buf = [0u8; 64];
    while out.len() < LENGTH {
        fill(&mut buf);
        // Rejection sampling: 248 = 4 * 62 keeps the distribution uniform.
        for &b in buf.iter().filter(|&&b| b < 248) {
            out.push(ALPHABET[(b % 62) as usize] as char);
            if out.len() == LENGTH {
                break;
            }
        }
    }
    out
}

/// Fills `buf` from the OS's cryptographic generator.
pub fn fill(buf: &mut [u8]) {
    // The OS generator failing leaves no safe way to continue.
    #[allow(clippy::expect_used)]
    getrandom::getrandom(buf).expect("the operating system's random number generator failed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_alphanumerics_and_distinct() {
        let a = alphanumeric_id();
        let b = alphanumeric_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }
}
