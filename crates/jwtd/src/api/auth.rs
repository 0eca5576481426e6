//! `JWTAuthentication`: the `Authorization` header of a protected route, checked as
//! SimpleJWT checks it, down to the user it names.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jwtd_core::Msg;
use jwtd_core::token::{Payload, TokenError, TokenKind, TokenService, UserRef};
use jwtd_store::User;

use super::client_ip::ClientIp;
use super::error::ApiError;
use crate::state::{AppState, now};

/// The user a valid token names.
pub struct AuthUser(pub User);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let no_credentials = || ApiError::detail(StatusCode::UNAUTHORIZED, Msg::NoCreds);
        let header = parts
            .headers
            .get(app.settings.auth_header_name.as_str())
            .ok_or_else(no_credentials)?;
        let raw = raw_token(header.as_bytes(), &app.settings.auth_header_types)
            .ok_or_else(no_credentials)??;
        let raw = std::str::from_utf8(raw).unwrap_or("");
        let (kind, payload) = validated_token(app, raw).await?;
        // A token refused after it validated: reported as SimpleJWT reports token faults.
        let refuse = |error: TokenError| ApiError::NotValidForAnyType(vec![(kind, error)]);
        if app.settings.bind_ip {
            let ClientIp(ip) = ClientIp::of(parts, app);
            if !TokenService::issued_to(&payload, &ip.to_string()) {
                return Err(refuse(TokenError::Invalid));
            }
        }
        let user_ref = app
            .tokens
            .user_ref(&payload)
            .ok_or_else(|| ApiError::coded(Msg::NoUserId, "token_not_valid"))?;
        let user = user_named_by(app, user_ref)
            .await?
            .ok_or_else(|| ApiError::coded(Msg::UserNotFound, "user_not_found"))?;
        if app.settings.check_user_is_active && !user.is_active {
            return Err(ApiError::coded(Msg::UserInactive, "user_inactive"));
        }
        if !app.tokens.revoke_value_current(&payload, &user.revoke_key) {
            return Err(ApiError::coded(Msg::PasswordChanged, "password_changed"));
        }
        // Issued before the user logged out everywhere.
        if TokenService::iat(&payload) < user.revoked_before {
            return Err(refuse(TokenError::Blacklisted));
        }
        Ok(AuthUser(user))
    }
}

/// `get_validated_token`: the first of `auth_token_classes` the token is valid as; otherwise a
/// 401 listing why it failed as each. Sliding tokens are also checked against the blacklist.
async fn validated_token(app: &AppState, raw: &str) -> Result<(TokenKind, Payload), ApiError> {
    let mut failures = Vec::new();
    for &class in &app.settings.auth_token_classes {
        let kind = TokenKind::from(class);
        let error = match app.tokens.decode(raw, Some(kind), now()) {
            Ok(payload) if kind != TokenKind::Sliding => return Ok((kind, payload)),
            Ok(payload) => match app.tokens.jti(&payload) {
                Some(jti) if app.store.is_blacklisted(jti).await? => TokenError::Blacklisted,
                _ => return Ok((kind, payload)),
            },
            Err(error) => error,
        };
        failures.push((kind, error));
    }
    Err(ApiError::NotValidForAnyType(failures))
}

/// The user a token's user-id claim names, if any.
pub(super) async fn user_named_by(
    app: &AppState,
    user_ref: UserRef,
) -> Result<Option<User>, ApiError> {
    Ok(match user_ref {
        UserRef::Id(id) => app.store.user_by_id(id).await?,
        UserRef::Username(name) => app.store.user_by_username(&name).await?,
        UserRef::Email(email) => app.store.user_by_email(&email).await?,
        UserRef::Unknown => None,
    })
}

/// The token part of `<keyword> <token>`. `None`: no credentials for this scheme (empty header
/// or unknown keyword, compared case-sensitively). `Some(Err)`: the keyword matches but the
/// header does not hold exactly two whitespace-separated parts.
fn raw_token<'h>(header: &'h [u8], keywords: &[String]) -> Option<Result<&'h [u8], ApiError>> {
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
        return Some(Err(ApiError::coded(
            Msg::BadHeader,
            "bad_authorization_header",
        )));
    }
    Some(Ok(parts[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_parsing_follows_simplejwt() {
        let kw = vec!["JWT".to_owned(), "Bearer".to_owned()];
        assert!(matches!(raw_token(b"JWT abc", &kw), Some(Ok(b"abc"))));
        assert!(matches!(
            raw_token(b"Bearer    abc  ", &kw),
            Some(Ok(b"abc"))
        ));
        assert!(raw_token(b"bearer abc", &kw).is_none());
        assert!(raw_token(b"", &kw).is_none());
        assert!(raw_token(b"Token abc", &kw).is_none());
        assert!(matches!(raw_token(b"JWT", &kw), Some(Err(_))));
        assert!(matches!(raw_token(b"JWT a b", &kw), Some(Err(_))));
    }
}
