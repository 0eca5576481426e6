//! Django's default `AUTH_PASSWORD_VALIDATORS`, applied to every password jwtd is given (the
//! admin and self-service API, registration, `jwtd user add|set-password`), never to an imported
//! hash. Every failing rule is reported, in the order of Django's default `AUTH_PASSWORD_VALIDATORS`, as `validate_password`
//! does.

use std::collections::HashSet;
use std::io::Read;
use std::sync::LazyLock;

use crate::i18n::Msg;
use crate::settings::PasswordRules;

/// What a password is checked against besides itself (Django's `user` argument).
#[derive(Clone, Copy, Debug, Default)]
pub struct Person<'a> {
    pub username: &'a str,
    pub email: &'a str,
}

/// The messages of every rule `password` breaks, with their argument; empty when it passes.
pub fn check(
    rules: &PasswordRules,
    password: &str,
    person: Person<'_>,
) -> Vec<(Msg, Option<String>)> {
    let mut broken = Vec::new();
    if rules.max_similarity < 1.0 {
        let attributes = [
            (person.username, Msg::PasswordSimilarUsername),
            (person.email, Msg::PasswordSimilarEmail),
        ];
        if let Some((_, msg)) = attributes
            .iter()
            .find(|(value, _)| too_similar(password, value, rules.max_similarity))
        {
            broken.push((*msg, None));
        }
    }
    if password.chars().count() < rules.min_length {
        broken.push((Msg::PasswordTooShort, Some(rules.min_length.to_string())));
    }
    if rules.refuse_common && COMMON.contains(password.to_lowercase().trim()) {
        broken.push((Msg::PasswordCommon, None));
    }
    // Python's `str.isdigit()`: every character a Unicode digit, and at least one.
    if rules.refuse_numeric && !password.is_empty() && password.chars().all(char::is_numeric) {
        broken.push((Msg::PasswordNumeric, None));
    }
    broken
}

/// `UserAttributeSimilarityValidator` for one attribute: the whole value and each of its
/// `\W+`-separated parts, compared with `SequenceMatcher.quick_ratio`.
fn too_similar(password: &str, value: &str, max_similarity: f64) -> bool {
    if value.is_empty() {
        return false;
    }
    let password = password.to_lowercase();
    let value = value.to_lowercase();
    let parts = value
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .chain(std::iter::once(value.as_str()));
    parts.into_iter().any(|part| {
        !exceeds_maximum_length_ratio(&password, max_similarity, part)
            && quick_ratio(&password, part) >= max_similarity
    })
}

/// Django's shortcut: a value this much shorter than the password cannot be similar enough.
fn exceeds_maximum_length_ratio(password: &str, max_similarity: f64, value: &str) -> bool {
    let password_len = password.chars().count();
    let value_len = value.chars().count();
    password_len >= 10 * value_len
        && (value_len as f64) < max_similarity / 2.0 * password_len as f64
}

/// `difflib.SequenceMatcher(a, b).quick_ratio()`: twice the size of the multiset intersection
/// of the two strings' characters over their total length (1.0 for two empty strings).
fn quick_ratio(a: &str, b: &str) -> f64 {
    let total = a.chars().count() + b.chars().count();
    if total == 0 {
        return 1.0;
    }
    let mut available: std::collections::HashMap<char, usize> = std::collections::HashMap::new();
    for c in b.chars() {
        *available.entry(c).or_default() += 1;
    }
    let mut matches = 0;
    for c in a.chars() {
        if let Some(n) = available.get_mut(&c).filter(|n| **n > 0) {
            *n -= 1;
            matches += 1;
        }
    }
    2.0 * matches as f64 / total as f64
}

/// Django 5.2's `common-passwords.txt.gz` (20,000 passwords, lower-cased; BSD-3-Clause, from
/// `django/contrib/auth/`), byte for byte. Unpacked on first use (~10 ms).
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let packed: &[u8] = include_bytes!("../../data/common-passwords.txt.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(packed)
        .read_to_string(&mut text)
        .expect("the embedded list is valid gzip and UTF-8");
    text.lines().map(|l| l.trim().to_owned()).collect()
});

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(password: &str, username: &str, email: &str) -> Vec<Msg> {
        let person = Person { username, email };
        check(&PasswordRules::default(), password, person)
            .into_iter()
            .map(|(m, _)| m)
            .collect()
    }

    /// Each case's expectation is what Django 5.2.19's `validate_password` raised for it
    /// (`data/password_rules.py` prints Django's answers).
    #[test]
    fn the_rules_agree_with_django() {
        let cases: &[(&str, &str, &str, &[Msg])] = &[
            ("correct horse battery", "alice", "alice@example.com", &[]),
            ("short", "alice", "", &[Msg::PasswordTooShort]),
            ("password", "alice", "", &[Msg::PasswordCommon]),
            (
                "12345678",
                "",
                "",
                &[Msg::PasswordCommon, Msg::PasswordNumeric],
            ),
            ("98127364519", "", "", &[Msg::PasswordNumeric]),
            ("alice123x", "alice123", "", &[Msg::PasswordSimilarUsername]),
            (
                "example-mail",
                "bob",
                "bob@example.com",
                &[Msg::PasswordSimilarEmail],
            ),
            (
                "1234",
                "",
                "",
                &[
                    Msg::PasswordTooShort,
                    Msg::PasswordCommon,
                    Msg::PasswordNumeric,
                ],
            ),
            ("Ivanov1985x", "ivanov", "", &[Msg::PasswordSimilarUsername]),
            (
                "alice",
                "alice",
                "",
                &[
                    Msg::PasswordSimilarUsername,
                    Msg::PasswordTooShort,
                    Msg::PasswordCommon,
                ],
            ),
            (
                "пароль",
                "",
                "",
                &[Msg::PasswordTooShort, Msg::PasswordCommon],
            ),
            ("٣٤٥٦٧٨٩٠١", "", "", &[Msg::PasswordNumeric]),
        ];
        for (password, username, email, expected) in cases {
            assert_eq!(
                messages(password, username, email),
                *expected,
                "{password:?} / {username:?} / {email:?}"
            );
        }
        assert!(check(&PasswordRules::off(), "1", Person::default()).is_empty());
    }

    #[test]
    fn quick_ratio_is_difflibs() {
        assert_eq!(quick_ratio("abcd", "bcde"), 0.75);
        assert_eq!(quick_ratio("", ""), 1.0);
        assert_eq!(quick_ratio("aab", "abb"), 2.0 * 2.0 / 6.0);
    }
}
