//! A decoded token's claims, read in one pass that keeps only what the checks and the request
//! path look at ([`Role`]); the full map is built from the same JSON on first use
//! ([`Decoded::all`]).
//!
//! Why: building the whole map (a string per name, a hash per insert, a hash per lookup) was
//! about half of a token check, and a verify or `/users/me/` reads five claims of it.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use super::Payload;

/// The claims the checks and the request path read, each by its configured name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    TokenType,
    Jti,
    UserId,
    Revoke,
    IpAddress,
    Exp,
    Iat,
    Nbf,
    Iss,
    Aud,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::TokenType,
        Role::Jti,
        Role::UserId,
        Role::Revoke,
        Role::IpAddress,
        Role::Exp,
        Role::Iat,
        Role::Nbf,
        Role::Iss,
        Role::Aud,
    ];
}

/// Where a claim is read from: a decoded token ([`Decoded`]) or a map being minted
/// ([`Payload`]).
pub trait ReadClaims {
    /// The claim playing `role`, named `name` in the settings.
    fn claim(&self, role: Role, name: &str) -> Option<&Value>;
}

impl<T: ReadClaims + ?Sized> ReadClaims for &T {
    fn claim(&self, role: Role, name: &str) -> Option<&Value> {
        (**self).claim(role, name)
    }
}

impl ReadClaims for Payload {
    fn claim(&self, _: Role, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

/// The claims of a token whose signature checked out. Behind an `Arc`: it is returned and
/// awaited through several layers (copying its ~450 bytes each time showed in profiles), and
/// the verified-token cache hands out the same claims to every request presenting the token.
#[derive(Clone)]
pub struct Decoded(Arc<Claims>);

struct Claims {
    /// Each role's claim, in [`Role::ALL`]'s order; `None` when a map was given instead.
    roles: Option<[Option<Value>; Role::ALL.len()]>,
    /// The claims' JSON, for [`Decoded::all`].
    json: Vec<u8>,
    all: OnceLock<Payload>,
}

impl Decoded {
    /// Reads the claims JSON: an object, whose roles' claims are kept (a repeated claim keeps
    /// its last value, as `json.loads` and `Payload` do). `names` are the roles' claim names,
    /// in [`Role::ALL`]'s order.
    pub(super) fn read(json: Vec<u8>, names: &[String; Role::ALL.len()]) -> Option<Decoded> {
        // Filled in place: the roles are most of its size.
        let mut shared = Arc::new(Claims {
            roles: Some(Default::default()),
            json: Vec::new(),
            all: OnceLock::new(),
        });
        let claims = Arc::get_mut(&mut shared)?;
        let roles = claims.roles.as_mut()?;
        {
            let mut reader = serde_json::Deserializer::from_slice(&json);
            RoleClaims { names, roles }.deserialize(&mut reader).ok()?;
            reader.end().ok()?;
        }
        claims.json = json;
        Some(Decoded(shared))
    }

    /// The claims JSON as signed; `None` when built from a map.
    pub(super) fn json(&self) -> Option<&[u8]> {
        self.0.roles.is_some().then_some(&self.0.json[..])
    }

    /// Whether both are the same claims read once (not merely equal ones).
    #[cfg(test)]
    pub(super) fn is_same_read(&self, other: &Decoded) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Every claim, in the token's order (parsed on first use).
    pub fn all(&self) -> &Payload {
        self.0.all.get_or_init(|| parse_all(&self.0.json))
    }
}

/// Claims given as a map (tests and code that build claims by hand): read by name.
impl From<Payload> for Decoded {
    fn from(all: Payload) -> Decoded {
        Decoded(Arc::new(Claims {
            roles: None,
            json: Vec::new(),
            all: OnceLock::from(all),
        }))
    }
}

impl ReadClaims for Decoded {
    fn claim(&self, role: Role, name: &str) -> Option<&Value> {
        match &self.0.roles {
            Some(roles) => roles[role as usize].as_ref(),
            None => self.all().get(name),
        }
    }
}

impl PartialEq for Decoded {
    fn eq(&self, other: &Decoded) -> bool {
        self.all() == other.all()
    }
}

impl fmt::Debug for Decoded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.all().fmt(f)
    }
}

/// The whole map. The JSON was already read once as an object by [`Decoded::read`]; the one
/// thing that pass accepts and this one refuses is a lone UTF-16 surrogate escape inside a
/// claim no role reads, which no JSON writer jwtd or SimpleJWT uses emits — such a signed
/// token reads as no claims beyond its roles'.
fn parse_all(json: &[u8]) -> Payload {
    serde_json::from_slice::<SizedPayload>(json).map_or_else(|_| Payload::new(), |all| all.0)
}

/// The one pass: each claim named by a role is kept in `roles`, every other value skipped
/// unbuilt.
struct RoleClaims<'a> {
    names: &'a [String; Role::ALL.len()],
    roles: &'a mut [Option<Value>; Role::ALL.len()],
}

impl<'de> DeserializeSeed<'de> for RoleClaims<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, json: D) -> Result<(), D::Error> {
        json.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RoleClaims<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(matched) = map.next_key_seed(RolesNamed(self.names))? {
            if matched == 0 {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let mut value = Some(map.next_value::<Value>()?);
            // Two roles may share a name (a claim name configured twice): each gets it, the
            // last one without a copy.
            let last = u16::BITS - 1 - matched.leading_zeros();
            for (i, slot) in (0..).zip(self.roles.iter_mut()) {
                if matched & (1 << i) != 0 {
                    *slot = if i == last {
                        value.take()
                    } else {
                        value.clone()
                    };
                }
            }
        }
        Ok(())
    }
}

/// A claim name, read as the set of roles it names (a bit per role), without copying it.
struct RolesNamed<'n>(&'n [String; Role::ALL.len()]);

impl<'de> DeserializeSeed<'de> for RolesNamed<'_> {
    type Value = u16;

    fn deserialize<D: serde::Deserializer<'de>>(self, json: D) -> Result<u16, D::Error> {
        json.deserialize_str(self)
    }
}

impl Visitor<'_> for RolesNamed<'_> {
    type Value = u16;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a claim name")
    }

    fn visit_str<E>(self, name: &str) -> Result<u16, E> {
        Ok(self
            .0
            .iter()
            .enumerate()
            .filter(|(_, role_name)| role_name.as_str() == name)
            .fold(0, |set, (i, _)| set | 1 << i))
    }
}

/// A token's claims, read into a map sized for a token's claims up front: grown claim by claim,
/// it was reallocated and rehashed twice per token. Otherwise as `Payload`'s own reading
/// (an object; a repeated claim keeps its first place and its last value).
struct SizedPayload(Payload);

impl<'de> serde::Deserialize<'de> for SizedPayload {
    fn deserialize<D: serde::Deserializer<'de>>(json: D) -> Result<Self, D::Error> {
        struct Claims;
        impl<'de> Visitor<'de> for Claims {
            type Value = Payload;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload, A::Error> {
                let mut claims = Payload::with_capacity(16);
                while let Some((name, value)) = map.next_entry::<String, Value>()? {
                    claims.insert(name, value);
                }
                Ok(claims)
            }
        }
        json.deserialize_map(Claims).map(SizedPayload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> [String; Role::ALL.len()] {
        [
            "token_type",
            "jti",
            "user_id",
            "revoke",
            "ip_address",
            "exp",
            "iat",
            "nbf",
            "iss",
            "aud",
        ]
        .map(String::from)
    }

    fn read(json: &str) -> Option<Decoded> {
        Decoded::read(json.as_bytes().to_vec(), &names())
    }

    #[test]
    fn the_roles_read_as_the_full_map_reads_them() {
        let cases = [
            r#"{"token_type":"access","exp":1700000000,"iat":1.5,"jti":"a\u00e9b","user_id":7}"#,
            r#"{"jti":1,"jti":"last wins","extra":{"deep":[1,2,{"x":null}]},"aud":["a","b"]}"#,
            r#"{"user_id":"\ud83d\ude00","nbf":"12","iss":null,"ip_address":"::1"}"#,
            r#"{}"#,
        ];
        for json in cases {
            let decoded = read(json).expect("an object reads");
            let full: Payload = serde_json::from_str(json).unwrap();
            for (role, name) in Role::ALL.into_iter().zip(names()) {
                assert_eq!(
                    decoded.claim(role, &name),
                    full.get(&name),
                    "{role:?} in {json}"
                );
            }
            assert_eq!(decoded.all(), &full, "{json}");
            let by_map = Decoded::from(full.clone());
            assert_eq!(by_map.claim(Role::Jti, "jti"), full.get("jti"));
            assert_eq!(by_map.all(), &full);
        }
    }

    #[test]
    fn a_name_two_roles_share_gives_both_the_claim() {
        let mut names = names();
        names[Role::UserId as usize] = "jti".into();
        let decoded = Decoded::read(br#"{"jti":"x"}"#.to_vec(), &names).unwrap();
        assert_eq!(decoded.claim(Role::Jti, "jti"), Some(&Value::from("x")));
        assert_eq!(decoded.claim(Role::UserId, "jti"), Some(&Value::from("x")));
    }

    #[test]
    fn what_is_not_one_json_object_is_refused() {
        for json in [
            "",
            "[]",
            "\"jti\"",
            "{",
            r#"{"jti":"x"} trailing"#,
            r#"{"jti":"x",}"#,
            r#"{"a":[1,}"#,
            "{\"a\":\"\u{1}\"}",
        ] {
            assert!(read(json).is_none(), "{json:?}");
        }
    }
}
