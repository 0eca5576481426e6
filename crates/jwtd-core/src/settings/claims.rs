//! Settings that shape tokens: the algorithm, claim names and values, who a token names.

use serde::{Deserialize, Serialize};

use super::{Settings, SettingsError, bad};

/// The `aud` value: one audience or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, expecting = "expected a string or a list of strings")]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn values(&self) -> Vec<String> {
        match self {
            Audience::One(a) => vec![a.clone()],
            Audience::Many(list) => list.clone(),
        }
    }
}

/// The user attribute a token's user-id claim holds (SimpleJWT's `USER_ID_FIELD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserIdField {
    /// The integer primary key, written as a JSON integer.
    Id,
    /// The username, written as a string.
    Username,
    /// The email address, written as a string (matched case-insensitively).
    Email,
}

/// A token class protected routes accept. SimpleJWT's class paths are accepted too, so an
/// `AUTH_TOKEN_CLASSES` tuple ports as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenClass {
    #[serde(
        alias = "AccessToken",
        alias = "rest_framework_simplejwt.tokens.AccessToken"
    )]
    Access,
    #[serde(
        alias = "SlidingToken",
        alias = "rest_framework_simplejwt.tokens.SlidingToken"
    )]
    Sliding,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginField {
    Username,
    Email,
}

impl LoginField {
    pub fn name(self) -> &'static str {
        match self {
            LoginField::Username => "username",
            LoginField::Email => "email",
        }
    }
}

/// Claims jwtd can add to tokens at login (the seed deployments' custom claims).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtraClaim {
    /// The user's role names, a JSON list.
    Roles,
    /// The client IP at login (`X-Forwarded-For` honoured only from `trusted_proxies`).
    IpAddress,
}

impl ExtraClaim {
    pub fn name(self) -> &'static str {
        match self {
            ExtraClaim::Roles => "roles",
            ExtraClaim::IpAddress => "ip_address",
        }
    }
}

/// Every claim name jwtd writes must be non-empty and distinct, or one would overwrite another.
pub(super) fn validate_claim_names(settings: &Settings) -> Result<(), SettingsError> {
    let mut seen: Vec<&str> = vec!["exp", "iat", "aud", "iss"];
    let mut named: Vec<(&'static str, &str)> = vec![
        ("token_type_claim", &settings.token_type_claim),
        ("jti_claim", &settings.jti_claim),
        ("user_id_claim", &settings.user_id_claim),
        (
            "sliding_token_refresh_exp_claim",
            &settings.sliding_token_refresh_exp_claim,
        ),
    ];
    if settings.check_revoke_token {
        named.push(("revoke_token_claim", &settings.revoke_token_claim));
    }
    named.extend(
        settings
            .extra_claims
            .iter()
            .map(|c| ("extra_claims", c.name())),
    );
    for (key, claim) in named {
        if claim.is_empty() {
            return Err(bad(key, "must not be empty"));
        }
        if seen.contains(&claim) {
            return Err(bad(
                key,
                format!("claim {claim:?} is already used by another claim"),
            ));
        }
        seen.push(claim);
    }
    Ok(())
}
