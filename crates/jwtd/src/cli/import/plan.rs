//! Turning a Django database's rows into jwtd users and tokens, and saying why a row cannot be.

use std::collections::HashMap;

use jwtd_core::password::Hasher;
use jwtd_django::{DjangoToken, DjangoUser, Snapshot};
use jwtd_store::{ImportedToken, ImportedUser, NewUser};

/// Which roles a Django user gets.
#[derive(Clone, Copy, Debug)]
pub struct RoleRules {
    /// Group names.
    pub groups: bool,
    /// `staff` for `is_staff`, `superuser` for `is_superuser`.
    pub staff: bool,
}

/// A row left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub id: String,
    pub login: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Plan {
    pub users: Vec<ImportedUser>,
    pub tokens: Vec<ImportedToken>,
    pub skipped: Vec<Skipped>,
}

pub fn plan(snapshot: &Snapshot, roles: RoleRules) -> Plan {
    let mut plan = Plan::default();
    // Django's auth_user.email is not unique; jwtd's emails are (ignoring case).
    let mut emails: HashMap<String, String> = HashMap::new();
    for row in &snapshot.users {
        match user(row, roles) {
            Ok(user) => {
                let key = user.account.email.to_lowercase();
                if !key.is_empty()
                    && let Some(first) = emails.insert(key.clone(), row.id.clone())
                {
                    emails.insert(key, first.clone());
                    plan.skipped.push(skip(
                        row,
                        format!("its email is also Django user {first}'s (ignoring case)"),
                    ));
                    continue;
                }
                plan.users.push(user);
            }
            Err(reason) => plan.skipped.push(skip(row, reason)),
        }
    }
    plan.tokens = snapshot.tokens.iter().map(token).collect();
    plan
}

fn skip(row: &DjangoUser, reason: String) -> Skipped {
    Skipped {
        id: row.id.clone(),
        login: row.login.clone(),
        reason,
    }
}

fn user(row: &DjangoUser, rules: RoleRules) -> Result<ImportedUser, String> {
    let id: i64 = row.id.trim().parse().map_err(|_| {
        format!(
            "its primary key {:?} is not an integer (jwtd's user ids are)",
            row.id
        )
    })?;
    if row.login.trim().is_empty() {
        return Err("it has no login name".into());
    }
    // Unusable passwords (`!…`, empty) come along: such users stay unable to log in.
    let unusable = row.password.is_empty() || row.password.starts_with('!');
    if !unusable && Hasher::identify(&row.password).is_none() {
        let format = row.password.split('$').next().unwrap_or_default();
        return Err(format!(
            "its password hash format {format:?} is not one Django makes"
        ));
    }
    let mut roles = if rules.groups {
        row.groups.clone()
    } else {
        Vec::new()
    };
    if rules.staff {
        for (flag, role) in [(row.is_staff, "staff"), (row.is_superuser, "superuser")] {
            if flag && !roles.iter().any(|r| r == role) {
                roles.push(role.to_owned());
            }
        }
    }
    Ok(ImportedUser {
        id,
        account: NewUser {
            username: row.login.clone(),
            email: row.email.clone(),
            password: row.password.clone(),
            is_active: row.is_active,
            roles,
        },
        last_login: row.last_login,
        date_joined: row.date_joined.or(row.last_login).unwrap_or(0),
    })
}

fn token(row: &DjangoToken) -> ImportedToken {
    ImportedToken {
        jti: row.jti.clone(),
        user_id: row.user_id.as_deref().and_then(|id| id.trim().parse().ok()),
        created_at: row.created_at.unwrap_or(0),
        expires_at: row.expires_at,
        blacklisted_at: row.blacklisted_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, login: &str, email: &str, password: &str) -> DjangoUser {
        DjangoUser {
            id: id.into(),
            login: login.into(),
            email: email.into(),
            password: password.into(),
            is_active: true,
            is_staff: true,
            is_superuser: false,
            last_login: None,
            date_joined: Some(7),
            groups: vec!["editors".into()],
        }
    }

    fn snapshot(users: Vec<DjangoUser>) -> Snapshot {
        Snapshot {
            schema: jwtd_django::schema::UserSchema {
                table: "auth_user".into(),
                columns: Vec::new(),
                login: "username".into(),
                groups: None,
            },
            users,
            tokens: Vec::new(),
        }
    }

    #[test]
    fn rows_jwtd_cannot_hold_are_skipped_with_a_reason() {
        let pbkdf2 = "pbkdf2_sha256$1000$salt$AAAA";
        let plan = plan(
            &snapshot(vec![
                row("1", "ann", "ann@example.com", pbkdf2),
                row("167ff956-bdab-41d4-87f7-91eea47d0cf2", "uuid", "", pbkdf2),
                row("3", "bob", "ANN@example.com", pbkdf2),
                row("4", "cat", "", "crypt$$ab1234"),
                row("5", "dan", "", "!unusable"),
                row("6", "", "", pbkdf2),
            ]),
            RoleRules {
                groups: true,
                staff: true,
            },
        );
        let kept: Vec<i64> = plan.users.iter().map(|u| u.id).collect();
        assert_eq!(kept, [1, 5]);
        assert_eq!(plan.users[0].account.roles, ["editors", "staff"]);
        let reasons: Vec<&str> = plan.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert!(reasons[0].contains("not an integer"), "{reasons:?}");
        assert!(reasons[1].contains("Django user 1's"), "{reasons:?}");
        assert!(reasons[2].contains("\"crypt\""), "{reasons:?}");
        assert!(reasons[3].contains("no login name"), "{reasons:?}");
    }
}
