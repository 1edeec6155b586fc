//! Pseudonyms of Telegram users for log lines: a person's Telegram id or
//! user name never reaches a log, yet one user's updates can be followed.

use sha2::{Digest, Sha256};

/// The first 16 hex digits of SHA-256(`key` + ":" + Telegram user id).
///
/// Keyed, because Telegram ids are few enough (about 10^10) that an
/// unkeyed hash could be reversed by trying them all; the bot keys it with
/// its service token, a secret that is never logged.
pub fn user_tag(key: &str, telegram_user_id: u64) -> String {
    let digest = Sha256::new()
        .chain_update(key.as_bytes())
        .chain_update(b":")
        .chain_update(telegram_user_id.to_string().as_bytes())
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tag_is_stable_keyed_and_hides_the_id() {
        let tag = user_tag("secret-a", 4242);
        assert_eq!(tag, user_tag("secret-a", 4242));
        assert_eq!(tag.len(), 16);
        assert!(!tag.contains("4242"));
        assert_ne!(tag, user_tag("secret-b", 4242), "another key, another tag");
        assert_ne!(tag, user_tag("secret-a", 4243));
    }
}
