//! Token minting and checking against SimpleJWT's behaviour.

use super::check::py_int;
use super::*;
use base64::Engine;

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

fn service() -> TokenService {
    TokenService::with_secret(&Settings::default(), KEY)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn subject() -> Subject<'static> {
    Subject {
        id: 7,
        username: "ann",
        email: "ann@example.com",
        revoke_key: "r1",
    }
}

fn part(token: &str, i: usize) -> Value {
    let raw = token.split('.').nth(i).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn header_and_claim_order_match_simplejwt() {
    let s = service();
    let t = now();
    let refresh = s.for_user(
        TokenKind::Refresh,
        &subject(),
        [("roles".into(), Value::from(vec!["a"]))],
        t,
    );
    let token = s.encode(&refresh);
    let header = token.split('.').next().unwrap();
    assert_eq!(header, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9");
    let keys: Vec<String> = part(&token, 1)
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(
        keys,
        ["token_type", "exp", "iat", "jti", "user_id", "roles"]
    );
    let access = s.access_from_refresh(&refresh, t);
    let keys: Vec<&String> = access.keys().collect();
    assert_eq!(
        keys,
        ["token_type", "exp", "iat", "jti", "user_id", "roles"]
    );
    assert_eq!(access["exp"].as_i64().unwrap() - t, 300);
    assert_ne!(access["jti"], refresh["jti"]);
}

#[test]
fn decode_reports_simplejwt_faults_in_order() {
    let s = service();
    let t = now();
    let refresh = s.for_user(TokenKind::Refresh, &subject(), [], t);
    let good = s.encode(&refresh);
    assert!(s.decode(&good, Some(TokenKind::Refresh), t).is_ok());
    assert_eq!(
        s.decode(&good, Some(TokenKind::Access), t),
        Err(TokenError::WrongType)
    );
    assert!(s.decode(&good, None, t).is_ok());

    let mut expired = refresh.clone();
    // PyJWT: a token whose `exp` is this very second is already expired.
    expired.insert("exp".into(), t.into());
    assert_eq!(
        s.decode(&s.encode(&expired), None, t),
        Err(TokenError::Expired)
    );
    let mut future = refresh.clone();
    future.insert("iat".into(), (t + 30).into());
    assert_eq!(
        s.decode(&s.encode(&future), None, t),
        Err(TokenError::Invalid)
    );

    for (claim, err) in [
        ("exp", TokenError::NoClaim("exp".into())),
        ("jti", TokenError::NoJti),
        ("token_type", TokenError::NoType),
    ] {
        let mut p = refresh.clone();
        p.remove(claim);
        assert_eq!(
            s.decode(&s.encode(&p), Some(TokenKind::Refresh), t),
            Err(err),
            "{claim}"
        );
    }

    let other =
        TokenService::with_secret(&Settings::default(), b"another key, 32 bytes long......");
    assert_eq!(other.decode(&good, None, t), Err(TokenError::Invalid));
    assert_eq!(s.decode("a.b", None, t), Err(TokenError::Invalid));
    assert_eq!(s.decode("", None, t), Err(TokenError::Invalid));
}

#[test]
fn user_ref_accepts_ints_and_numeric_strings() {
    let s = service();
    let mut p = Payload::new();
    assert_eq!(s.user_ref(&p), None);
    p.insert("user_id".into(), 5.into());
    assert_eq!(s.user_ref(&p), Some(UserRef::Id(5)));
    p.insert("user_id".into(), "5".into());
    assert_eq!(s.user_ref(&p), Some(UserRef::Id(5)));
    p.insert("user_id".into(), "x".into());
    assert_eq!(s.user_ref(&p), Some(UserRef::Unknown));
}

#[test]
fn sliding_tokens_slide_until_refresh_exp() {
    let s = service();
    let t = now();
    let sliding = s.for_user(TokenKind::Sliding, &subject(), [], t - 100);
    let keys: Vec<&String> = sliding.keys().collect();
    assert_eq!(
        keys,
        ["token_type", "exp", "iat", "jti", "refresh_exp", "user_id"]
    );
    let slid = s.slide(&sliding, t).unwrap();
    assert_eq!(slid["exp"], Value::from(t + 300));
    assert_eq!(slid["jti"], sliding["jti"]);
    assert_eq!(slid["refresh_exp"], sliding["refresh_exp"]);
    let mut late = sliding.clone();
    late.insert("refresh_exp".into(), t.into());
    assert_eq!(
        s.slide(&late, t),
        Err(TokenError::ClaimExpired("refresh_exp".into()))
    );
    late.remove("refresh_exp");
    assert_eq!(
        s.slide(&late, t),
        Err(TokenError::NoClaim("refresh_exp".into()))
    );
}

#[test]
fn claim_times_are_read_as_python_ints() {
    assert_eq!(py_int(&Value::from(5)), Some(5));
    assert_eq!(py_int(&Value::from(5.9)), Some(5));
    assert_eq!(py_int(&Value::from(" 12 ")), Some(12));
    assert_eq!(py_int(&Value::from("1.5")), None);
    assert_eq!(py_int(&Value::Null), None);
}

#[test]
fn jti_is_32_lowercase_hex() {
    let j = new_jti();
    assert_eq!(j.len(), 32);
    assert!(
        j.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
}
