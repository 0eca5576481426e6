//! The rules of Django's `User` fields that jwtd checks wherever it is given a user (the admin
//! API, registration, `jwtd user add`): the username validator and lengths, and Django's
//! `EmailValidator`.

/// `AbstractUser.username`'s `max_length`.
pub const USERNAME_MAX_CHARS: usize = 150;
/// `AbstractUser.email`'s `max_length` (`EmailField`).
pub const EMAIL_MAX_CHARS: usize = 254;

/// Django's `UnicodeUsernameValidator`: letters, digits and `@ . + - _` only.
pub fn username_chars_ok(name: &str) -> bool {
    name.chars()
        .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
}

/// Django's `EmailValidator` for dot-atom local parts and host names (quoted local parts and
/// IP-literal domains, rare in user tables, are refused).
pub fn valid_email(email: &str) -> bool {
    if email.len() > 320 {
        return false;
    }
    let Some((user, domain)) = email.rsplit_once('@') else {
        return false;
    };
    let atom_char = |c: char| c.is_ascii_alphanumeric() || "-!#$%&'*+/=?^_`{}|~".contains(c);
    let user_ok = !user.is_empty()
        && user
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(atom_char));
    if !user_ok {
        return false;
    }
    if domain == "localhost" {
        return true;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((tld, hosts)) = labels.split_last() else {
        return false;
    };
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !hosts.is_empty()
        && hosts.iter().all(|l| label_ok(l))
        && (2..=63).contains(&tld.len())
        && tld.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !tld.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each verdict is Django 5.2.19's `validate_email`'s.
    #[test]
    fn emails_as_django_validates_them() {
        for ok in [
            "a@example.com",
            "a.b+c@sub.example.co",
            "x@localhost",
            "o'neil@example.io",
        ] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@example.com",
            "a@b",
            "a..b@example.com",
            "a@-x.com",
            "a@example.c",
            "a b@example.com",
            "a@example.com-",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
