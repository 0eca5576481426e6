//! Whether the user a token names may act: at refresh, at sliding refresh and on protected
//! routes. One function decides, in one order; each caller maps the [`Refusal`] to its own
//! SimpleJWT answer (the protected routes' `user_not_found`, the refresh view's
//! `no_active_account`, …).
//!
//! The order, first failing check wins:
//! 1. `bind_ip`: the token's `ip_address` claim is the caller's IP → else [`Refusal::WrongIp`];
//! 2. the token names a user (its user-id claim is present) → else [`Refusal::NoUserId`];
//! 3. that user exists → else [`Refusal::UserNotFound`];
//! 4. `check_user_is_active`: the user is active → else [`Refusal::UserInactive`];
//! 5. `check_revoke_token`: the token carries the user's current revocation value → else
//!    [`Refusal::PasswordChanged`];
//! 6. the token was issued after the user last logged out everywhere → else
//!    [`Refusal::LoggedOut`].
//!
//! Step 6 compares instants. Tokens carry whole seconds (`iat`), a logout keeps microseconds,
//! so a token issued in the very second of a logout is ambiguous by time alone: the
//! [`Verdict::IssuedInLogoutSecond`] answer sends the caller to the store, which records the
//! tokens issued in that second after the logout ([`must_record_issue`]).

use std::net::IpAddr;

use crate::clock::Timestamp;
use crate::settings::Settings;
use crate::token::{ReadClaims, TokenService};

/// The settings the rules read.
#[derive(Clone, Copy, Debug)]
pub struct UserRules {
    bind_ip: bool,
    check_user_is_active: bool,
}

impl UserRules {
    pub fn new(settings: &Settings) -> Self {
        UserRules {
            bind_ip: settings.bind_ip,
            check_user_is_active: settings.check_user_is_active,
        }
    }
}

/// SimpleJWT's revocation value (`get_md5_hash_password`): the MD5 of the user's stored password
/// hash, upper-case hex. jwtd's own users carry a random value instead (replaced with the
/// password, and at "log out everywhere"); a live Django site's users carry this one, so the
/// site's own `JWTAuthentication` agrees with jwtd about which tokens a password change killed.
pub fn simplejwt_revoke_value(password_hash: &str) -> String {
    use md5::Digest as _;
    crate::hex::lower(&md5::Md5::digest(password_hash.as_bytes())).to_uppercase()
}

/// What the rules need to know of the user a token names.
#[derive(Clone, Copy, Debug)]
pub struct Standing<'a> {
    pub is_active: bool,
    /// The user's current revocation value (`check_revoke_token`).
    pub revoke_key: &'a str,
    /// When the user last logged out everywhere; `None`: never.
    pub logged_out_at: Option<Timestamp>,
}

/// Why a token's user may not act, one per rule, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    WrongIp,
    NoUserId,
    UserNotFound,
    UserInactive,
    PasswordChanged,
    LoggedOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    Refused(Refusal),
    /// Every rule passed, but the token was issued in the very second the user logged out
    /// everywhere: it may act only if the store recorded it as issued after the logout;
    /// otherwise it is [`Refusal::LoggedOut`].
    IssuedInLogoutSecond,
}

/// Applies the rules to a decoded token, the caller's IP and the user the token names (`None`
/// when there is no such user).
pub fn check(
    rules: &UserRules,
    tokens: &TokenService,
    payload: &impl ReadClaims,
    client_ip: IpAddr,
    user: Option<&Standing<'_>>,
) -> Verdict {
    use Refusal::*;
    if rules.bind_ip && !TokenService::issued_to(payload, &client_ip.to_string()) {
        return Verdict::Refused(WrongIp);
    }
    if tokens.user_ref(payload).is_none() {
        return Verdict::Refused(NoUserId);
    }
    let Some(user) = user else {
        return Verdict::Refused(UserNotFound);
    };
    if rules.check_user_is_active && !user.is_active {
        return Verdict::Refused(UserInactive);
    }
    if !tokens.revoke_value_current(payload, user.revoke_key) {
        return Verdict::Refused(PasswordChanged);
    }
    match user.logged_out_at {
        Some(at) if TokenService::iat(payload) < at.secs() => Verdict::Refused(LoggedOut),
        Some(at) if TokenService::iat(payload) == at.secs() => Verdict::IssuedInLogoutSecond,
        _ => Verdict::Allowed,
    }
}

/// Whether a token issued `now` to a user who logged out everywhere at `logged_out_at` must be
/// recorded as issued after that logout: it shares the logout's second, so its `iat` alone
/// cannot tell (the other half of rule 6).
pub fn must_record_issue(now: Timestamp, logged_out_at: Option<Timestamp>) -> bool {
    logged_out_at.is_some_and(|at| now.secs() == at.secs() && now >= at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Payload, Subject, TokenKind};

    const IP: [u8; 4] = [192, 0, 2, 1];

    fn setup(configure: impl FnOnce(&mut Settings)) -> (UserRules, TokenService, Payload) {
        let mut settings = Settings::default();
        configure(&mut settings);
        let tokens = TokenService::with_secret(&settings, b"0123456789abcdef0123456789abcdef");
        let subject = Subject {
            id: 7,
            username: "ann",
            email: "",
            revoke_key: "k1",
        };
        let ip = [("ip_address".to_owned(), "192.0.2.1".into())];
        let payload = tokens.for_user(TokenKind::Refresh, &subject, ip, 1000);
        (UserRules::new(&settings), tokens, payload)
    }

    fn standing(logged_out_at: Option<i64>) -> Standing<'static> {
        Standing {
            is_active: true,
            revoke_key: "k1",
            logged_out_at: logged_out_at.map(Timestamp::from_micros),
        }
    }

    #[test]
    fn rules_apply_in_their_documented_order() {
        let (rules, tokens, payload) = setup(|s| {
            s.bind_ip = true;
            s.extra_claims = vec![crate::settings::ExtraClaim::IpAddress];
            s.check_revoke_token = true;
        });
        let ok = standing(None);
        let here = IpAddr::from(IP);
        assert_eq!(
            check(&rules, &tokens, &payload, here, Some(&ok)),
            Verdict::Allowed
        );
        let elsewhere = IpAddr::from([198, 51, 100, 1]);
        assert_eq!(
            check(&rules, &tokens, &payload, elsewhere, None),
            Verdict::Refused(Refusal::WrongIp),
            "the IP is checked before the user"
        );
        let mut anonymous = payload.clone();
        anonymous.remove("user_id");
        assert_eq!(
            check(&rules, &tokens, &anonymous, here, None),
            Verdict::Refused(Refusal::NoUserId)
        );
        assert_eq!(
            check(&rules, &tokens, &payload, here, None),
            Verdict::Refused(Refusal::UserNotFound)
        );
        let inactive = Standing {
            is_active: false,
            revoke_key: "changed",
            ..ok
        };
        assert_eq!(
            check(&rules, &tokens, &payload, here, Some(&inactive)),
            Verdict::Refused(Refusal::UserInactive),
            "inactive is reported before a changed password"
        );
        let changed = Standing {
            revoke_key: "changed",
            ..ok
        };
        assert_eq!(
            check(&rules, &tokens, &payload, here, Some(&changed)),
            Verdict::Refused(Refusal::PasswordChanged)
        );
    }

    #[test]
    fn logging_out_everywhere_refuses_what_was_issued_before() {
        let (rules, tokens, payload) = setup(|_| {});
        let here = IpAddr::from(IP);
        let verdict = |at| check(&rules, &tokens, &payload, here, Some(&standing(at)));
        // The token's iat is second 1000.
        assert_eq!(verdict(Some(999_999_999)), Verdict::Allowed);
        assert_eq!(verdict(Some(1_000_000_000)), Verdict::IssuedInLogoutSecond);
        assert_eq!(verdict(Some(1_000_999_999)), Verdict::IssuedInLogoutSecond);
        assert_eq!(
            verdict(Some(1_001_000_000)),
            Verdict::Refused(Refusal::LoggedOut)
        );
        let at = Some(Timestamp::from_micros(1_000_500_000));
        assert!(must_record_issue(Timestamp::from_micros(1_000_700_000), at));
        assert!(!must_record_issue(
            Timestamp::from_micros(1_001_000_000),
            at
        ));
        assert!(!must_record_issue(
            Timestamp::from_micros(1_000_200_000),
            at
        ));
        assert!(!must_record_issue(
            Timestamp::from_micros(1_000_700_000),
            None
        ));
    }

    #[test]
    fn inactive_users_pass_when_the_check_is_off() {
        let (rules, tokens, payload) = setup(|s| s.check_user_is_active = false);
        let inactive = Standing {
            is_active: false,
            ..standing(None)
        };
        assert_eq!(
            check(&rules, &tokens, &payload, IpAddr::from(IP), Some(&inactive)),
            Verdict::Allowed
        );
    }

    #[test]
    fn simplejwts_revoke_value_is_the_md5_of_the_hash() {
        // SimpleJWT 5.5.1: rest_framework_simplejwt.utils.get_md5_hash_password(…)
        assert_eq!(
            super::simplejwt_revoke_value("pbkdf2_sha256$1000000$salt$hash"),
            "A1C86D99A9B04CAA4782947A89B21B4F"
        );
    }
}
