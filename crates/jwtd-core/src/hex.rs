//! Lowercase hexadecimal, as Python's `hexdigest()` writes it (Django's legacy hashes, bcrypt_sha256's
//! input, the throttle's account keys).

pub fn lower(bytes: &[u8]) -> String {
    ::hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn lowercase_two_digits_per_byte() {
        assert_eq!(super::lower(&[0x00, 0x0f, 0xab]), "000fab");
    }
}
