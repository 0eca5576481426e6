//! A refresh's access token written straight from the refresh token's claims JSON.
//!
//! [`TokenService::access_in_session`] builds the access token as a map — the refresh token's
//! claims parsed into one (a string and a value per claim, a hash per insert), copied into
//! another, serialized — ≈ 1 µs, a tenth of a refresh. Here the claims SimpleJWT carries over
//! are copied as the text they were signed as, when that text is exactly what serializing the
//! map would write: names without escapes, each once, and values that are escape-free
//! strings, integers that fit 64 bits, `true`, `false`, `null`, or arrays of those, without
//! whitespace. Anything else (floats, escapes, objects, a repeated name) takes the map, so the
//! token is byte for byte the same either way (tested against the map on both kinds).

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Decoded, ReadClaims, Role, TokenKind, TokenService, session_jti};

/// An access token just minted for a refresh, with the claims the refresh path reads of it.
pub struct MintedAccess {
    pub encoded: String,
    jti: Value,
    exp: Value,
}

/// Only `jti` and `exp` are kept: what is read of a token after it is minted.
impl ReadClaims for MintedAccess {
    fn claim(&self, role: Role, _: &str) -> Option<&Value> {
        match role {
            Role::Jti => Some(&self.jti),
            Role::Exp => Some(&self.exp),
            _ => None,
        }
    }
}

impl TokenService {
    /// [`TokenService::access_in_session`], signed.
    pub fn mint_access_in_session(
        &self,
        refresh: &Decoded,
        family: &str,
        now: i64,
    ) -> MintedAccess {
        let jti = session_jti(family);
        let exp = now + self.access_lifetime;
        let encoded = match self.access_claims_direct(refresh, &jti, now) {
            Some(claims) => self.keys.load().sign_claims(&claims),
            None => self.encode(&self.access_with_jti(refresh.all(), &jti, now)),
        };
        MintedAccess {
            encoded,
            jti: jti.into(),
            exp: exp.into(),
        }
    }

    /// The access token's claims JSON written from the refresh token's (see the module); `None`
    /// when the map must be used.
    fn access_claims_direct(&self, refresh: &Decoded, jti: &str, now: i64) -> Option<Vec<u8>> {
        let type_name = self.claim_name(Role::TokenType);
        let jti_name = self.claim_name(Role::Jti);
        // Names the map would merge or move: leave such settings to it.
        let fixed = ["exp", "iat", "aud", "iss"];
        if type_name == jti_name || fixed.contains(&type_name) || fixed.contains(&jti_name) {
            return None;
        }
        let json = refresh.json()?;
        let claims = serde_json::from_slice::<RawClaims<'_>>(json).ok()?.0;
        for (i, (name, value)) in claims.iter().enumerate() {
            if claims[..i].iter().any(|(seen, _)| seen == name) || !written_as_read(value) {
                return None;
            }
        }

        let mut out = Vec::with_capacity(json.len() + 64);
        out.push(b'{');
        // `fresh()`'s claims, then every other claim of the refresh token in its order, `aud`
        // and `iss` taking the configured values in place or at the end (as `encode` inserts).
        write(&mut out, type_name, TokenKind::Access.claim_value());
        write(&mut out, "exp", now + self.access_lifetime);
        write(&mut out, "iat", now);
        write(&mut out, jti_name, jti);
        let own = [type_name, "exp", "iat", jti_name, "jti"];
        let (mut wrote_aud, mut wrote_iss) = (false, false);
        for (name, value) in claims {
            match (name, &self.audience, &self.issuer) {
                _ if own.contains(&name) => {}
                ("aud", Some((audience, _)), _) => {
                    write(&mut out, name, audience);
                    wrote_aud = true;
                }
                ("iss", _, Some(issuer)) => {
                    write(&mut out, name, issuer);
                    wrote_iss = true;
                }
                _ => {
                    name_of(&mut out, name);
                    out.extend_from_slice(value.as_bytes());
                }
            }
        }
        if let (Some((audience, _)), false) = (&self.audience, wrote_aud) {
            write(&mut out, "aud", audience);
        }
        if let (Some(issuer), false) = (&self.issuer, wrote_iss) {
            write(&mut out, "iss", issuer);
        }
        out.push(b'}');
        Some(out)
    }
}

/// Starts an object entry: the separator, then `"name":`.
fn name_of(out: &mut Vec<u8>, name: &str) {
    if out.len() > 1 {
        out.push(b',');
    }
    let _ = serde_json::to_writer(&mut *out, name); // writing to a Vec cannot fail
    out.push(b':');
}

/// An object entry whose value is serialized.
fn write(out: &mut Vec<u8>, name: &str, value: impl serde::Serialize) {
    name_of(out, name);
    let _ = serde_json::to_writer(&mut *out, &value);
}

/// A claims object as signed: each name (borrowed, so one with an escape fails the read) with
/// its value's JSON text, in order.
struct RawClaims<'a>(Vec<(&'a str, &'a str)>);

impl<'de> Deserialize<'de> for RawClaims<'de> {
    fn deserialize<D: Deserializer<'de>>(json: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = RawClaims<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut claims = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((name, value)) = map.next_entry::<&'de str, &'de RawValue>()? {
                    claims.push((name, value.get()));
                }
                Ok(RawClaims(claims))
            }
        }
        json.deserialize_map(Entries)
    }
}

/// Whether serde_json writes the (valid) JSON value `text` back exactly as it is: see the
/// module for what qualifies.
fn written_as_read(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // No escape inside: the string ends at the next quote.
                let Some(len) = bytes[i + 1..].iter().position(|&b| b == b'"' || b == b'\\') else {
                    return false;
                };
                if bytes[i + 1 + len] == b'\\' {
                    return false;
                }
                i += len + 2;
            }
            b'[' | b']' | b',' => i += 1,
            b'-' | b'0'..=b'9' => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| !matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                    .map_or(bytes.len(), |n| i + n);
                let number = &text[i..end];
                let digits = number.strip_prefix('-').unwrap_or(number);
                // An integer of at most 18 digits fits i64/u64 and is printed back as written
                // (JSON has no leading zeros); "-0" is printed as 0.
                if !digits.bytes().all(|b| b.is_ascii_digit())
                    || digits.len() > 18
                    || number == "-0"
                {
                    return false;
                }
                i = end;
            }
            b't' | b'f' | b'n' => {
                let literal = ["true", "false", "null"]
                    .into_iter()
                    .find(|l| text[i..].starts_with(l));
                let Some(literal) = literal else {
                    return false;
                };
                i += literal.len();
            }
            // Objects (their repeated keys would be merged), whitespace.
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;
    use crate::settings::{Audience, Settings};

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_900_000_000;

    /// The settings variants: SimpleJWT's defaults; `aud` and `iss` configured; renamed type
    /// and jti claims.
    fn services() -> Vec<TokenService> {
        let plain = Settings::default();
        let audited = Settings {
            audience: Some(Audience::Many(vec!["api".into(), "web".into()])),
            issuer: Some("https://jwtd.example".into()),
            ..Settings::default()
        };
        let renamed = Settings {
            token_type_claim: "typ".into(),
            jti_claim: "id".into(),
            ..Settings::default()
        };
        [plain, audited, renamed]
            .iter()
            .map(|s| TokenService::with_secret(s, KEY))
            .collect()
    }

    /// A refresh token with these claims after the standard ones, decoded.
    fn refresh(service: &TokenService, rest: &str) -> Decoded {
        let (kind, jti) = (
            service.claim_name(Role::TokenType),
            service.claim_name(Role::Jti),
        );
        let mut json = format!(
            r#"{{"{kind}":"refresh","exp":{},"iat":{NOW},"{jti}":"0123456789abcdef0123456789abcdef""#,
            NOW + 3600
        );
        if !rest.is_empty() {
            json.push(',');
            json.push_str(rest);
        }
        // What a token must carry to decode under these settings.
        if service.audience.is_some() && !rest.contains(r#""aud""#) {
            json.push_str(r#","aud":"web""#);
        }
        if service.issuer.is_some() && !rest.contains(r#""iss""#) {
            json.push_str(r#","iss":"https://jwtd.example""#);
        }
        json.push('}');
        let token = service.keys.load().sign_claims(json.as_bytes());
        service
            .decode(&token, Some(TokenKind::Refresh), NOW)
            .unwrap_or_else(|e| panic!("{json}: {e:?}"))
    }

    /// What the map writes: `access_in_session`'s claims, as `encode` serializes them.
    fn by_map(service: &TokenService, refresh: &Decoded, jti: &str) -> Vec<u8> {
        service.claims_json(&service.access_with_jti(refresh.all(), jti, NOW))
    }

    #[test]
    fn claims_written_directly_are_the_maps_byte_for_byte() {
        // Written directly: what SimpleJWT and jwtd put in refresh tokens.
        let direct = [
            "",
            r#""user_id":7"#,
            r#""user_id":"ann@example.com","roles":["admin","user"],"ip_address":"10.0.0.1""#,
            r#""user_id":-42,"big":123456789012345678,"flags":[true,false,null],"none":[]"#,
            r#""name":"Zoë 山田 ☃","spaced":"a b c""#,
            r#""aud":"api","nested":[[1,2],["x"]],"iss":"https://jwtd.example","last":0"#,
            r#""revoke_token_claim":"r1","session":"a.b-c_d""#,
            // Whitespace between entries is not part of any value.
            " \"user_id\" :\t7 ,\n\"roles\": [\"a\"]",
        ];
        // The map's: it rewrites these.
        let by_map_only = [
            r#""user_id":1.0"#,
            r#""user_id":1e3"#,
            r#""user_id":-0"#,
            r#""user_id":1234567890123456789012"#,
            r#""name":"caf\u00e9""#,
            r#""name":"a\"b""#,
            r#""slash":"a\/b""#,
            r#""tab":"a\tb""#,
            r#""profile":{"a":1,"a":2}"#,
            r#""profile":{}"#,
            r#""roles":[ "a" ]"#,
            r#""user_id":1,"user_id":2"#,
            r#""ro\u006ces":["a"]"#,
        ];
        for service in services() {
            for (rest, fast) in direct
                .iter()
                .map(|r| (r, true))
                .chain(by_map_only.iter().map(|r| (r, false)))
            {
                let refresh = refresh(&service, rest);
                let jti = session_jti("family");
                let written = service.access_claims_direct(&refresh, &jti, NOW);
                assert_eq!(written.is_some(), fast, "{rest}");
                let expected = by_map(&service, &refresh, &jti);
                if let Some(written) = written {
                    assert_eq!(
                        String::from_utf8(written).unwrap(),
                        String::from_utf8(expected).unwrap(),
                        "{rest}"
                    );
                }
                // Either way, the minted token's claims are the map's, byte for byte.
                let minted = service.mint_access_in_session(&refresh, "family", NOW);
                let minted_jti = service.jti_text(&minted);
                assert!(super::super::jti_in_session(&minted_jti, "family"));
                assert_eq!(TokenService::exp(&minted), NOW + service.access_lifetime);
                let claims = minted.encoded.split('.').nth(1).unwrap();
                let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(claims)
                    .unwrap();
                assert_eq!(claims, by_map(&service, &refresh, &minted_jti), "{rest}");
                service
                    .decode(&minted.encoded, Some(TokenKind::Access), NOW)
                    .expect("a valid access token");
            }
        }
    }

    #[test]
    fn configured_aud_and_iss_a_token_lacks_come_last() {
        let audited = services().swap_remove(1);
        let json = format!(
            r#"{{"token_type":"refresh","exp":{},"iat":{NOW},"jti":"j","user_id":7}}"#,
            NOW + 60
        );
        // Such a token does not decode under these settings: read by hand.
        let refresh = Decoded::read(json.into_bytes(), &audited.role_names).unwrap();
        let written = audited.access_claims_direct(&refresh, "a", NOW).unwrap();
        assert_eq!(written, by_map(&audited, &refresh, "a"));
        assert!(
            String::from_utf8(written)
                .unwrap()
                .ends_with(r#""user_id":7,"aud":["api","web"],"iss":"https://jwtd.example"}"#)
        );
    }

    #[test]
    fn a_renamed_claim_the_map_would_merge_takes_the_map() {
        let settings = Settings {
            jti_claim: "exp".into(),
            ..Settings::default()
        };
        let service = TokenService::with_secret(&settings, KEY);
        let json = format!(
            r#"{{"token_type":"refresh","exp":{},"iat":{NOW}}}"#,
            NOW + 60
        );
        let refresh = Decoded::read(json.into_bytes(), &service.role_names).unwrap();
        assert_eq!(service.access_claims_direct(&refresh, "j", NOW), None);
    }
}
