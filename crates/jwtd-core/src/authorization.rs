//! The `Authorization` header as SimpleJWT's `JWTAuthentication` reads it: shared by jwtd's
//! protected routes and by `jwtd-verify`.

/// The header holds a known keyword but not exactly `<keyword> <token>`
/// (SimpleJWT's `bad_authorization_header`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadHeader;

/// The token part of `<keyword> <token>`. `None`: no credentials for this scheme (empty header
/// or unknown keyword, compared case-sensitively). `Some(Err)`: the keyword matches but the
/// header does not hold exactly two whitespace-separated parts.
pub fn bearer_token<'h>(
    header: &'h [u8],
    keywords: &[String],
) -> Option<Result<&'h [u8], BadHeader>> {
    // Python's bytes.split(): any run of ASCII whitespace separates, including \x0b.
    let parts: Vec<&[u8]> = header
        .split(|b| b.is_ascii_whitespace() || *b == 0x0b)
        .filter(|p| !p.is_empty())
        .collect();
    let keyword = parts.first()?;
    if !keywords.iter().any(|k| k.as_bytes() == *keyword) {
        return None;
    }
    if parts.len() != 2 {
        return Some(Err(BadHeader));
    }
    Some(Ok(parts[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parsing_follows_simplejwt() {
        let kw = vec!["JWT".to_owned(), "Bearer".to_owned()];
        assert_eq!(bearer_token(b"JWT abc", &kw), Some(Ok(&b"abc"[..])));
        assert_eq!(bearer_token(b"Bearer    abc  ", &kw), Some(Ok(&b"abc"[..])));
        assert_eq!(bearer_token(b"bearer abc", &kw), None);
        assert_eq!(bearer_token(b"", &kw), None);
        assert_eq!(bearer_token(b"Token abc", &kw), None);
        assert_eq!(bearer_token(b"JWT", &kw), Some(Err(BadHeader)));
        assert_eq!(bearer_token(b"JWT a b", &kw), Some(Err(BadHeader)));
    }
}
