//! What differs between SQLite, PostgreSQL and MySQL/MariaDB when reading a Django database:
//! the URL, the catalog queries, and how a boolean, a timestamp and an id become plain values.
//! Everything else the reader writes once.

use crate::{DjangoError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
    MySql,
}

impl Dialect {
    /// The sqlx URL for a Django database URL or file path, and its dialect. A SQLite file is
    /// opened read-only unless `writes` (it is never created).
    pub fn of_url(url: &str, writes: bool) -> Result<(String, Dialect)> {
        let mode = if writes { "rw" } else { "ro" };
        if let Some(path) = url.strip_prefix("sqlite://") {
            return Ok((format!("sqlite://{path}?mode={mode}"), Dialect::Sqlite));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok((url.to_owned(), Dialect::Postgres));
        }
        if url.starts_with("mysql://") || url.starts_with("mariadb://") {
            return Ok((url.replacen("mariadb://", "mysql://", 1), Dialect::MySql));
        }
        if !url.contains("://") && !url.is_empty() {
            return Ok((format!("sqlite://{url}?mode={mode}"), Dialect::Sqlite));
        }
        Err(DjangoError::UnsupportedUrl(url.to_owned()))
    }

    /// `column` as an integer 0 or 1 (Django's booleans: SQLite `bool`, PostgreSQL `boolean`,
    /// MySQL `tinyint(1)`).
    pub fn flag(self, column: &str) -> String {
        format!("CASE WHEN {column} THEN 1 ELSE 0 END")
    }

    /// `column` (a Django `DateTimeField`, stored in UTC) as epoch seconds, NULL when NULL.
    pub fn epoch(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("CAST(strftime('%s', {column}) AS INTEGER)"),
            Dialect::Postgres => format!("CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"),
            Dialect::MySql => format!("TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', {column})"),
        }
    }

    /// The `n`th (1-based) bound parameter: `$n` (PostgreSQL; SQLite reads it too), `?` (MySQL,
    /// positional).
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::MySql => "?".to_owned(),
            Dialect::Sqlite | Dialect::Postgres => format!("${n}"),
        }
    }

    /// A bound epoch-seconds parameter as a Django `DateTimeField` value (UTC).
    pub fn timestamp(self, parameter: &str) -> String {
        match self {
            Dialect::Sqlite => format!("strftime('%Y-%m-%d %H:%M:%f', {parameter}, 'unixepoch')"),
            Dialect::Postgres => format!("to_timestamp({parameter})"),
            Dialect::MySql => {
                format!("DATE_ADD('1970-01-01 00:00:00', INTERVAL {parameter} SECOND)")
            }
        }
    }

    /// `INSERT INTO <rest>` that skips rows whose unique key is already there, as Django's
    /// `get_or_create` ends (PostgreSQL and SQLite: `ON CONFLICT DO NOTHING`; MySQL:
    /// `INSERT IGNORE`).
    pub fn insert_unless_present(self, rest: &str) -> String {
        match self {
            Dialect::MySql => format!("INSERT IGNORE INTO {rest}"),
            Dialect::Sqlite | Dialect::Postgres => {
                format!("INSERT INTO {rest} ON CONFLICT DO NOTHING")
            }
        }
    }

    /// `column` as text (ids: integers, or UUIDs that the caller refuses).
    pub fn text(self, column: &str) -> String {
        match self {
            Dialect::MySql => format!("CAST({column} AS CHAR)"),
            Dialect::Sqlite | Dialect::Postgres => format!("CAST({column} AS TEXT)"),
        }
    }

    /// The column names of `table` (none when there is no such table).
    pub fn columns_query(self, table: &str) -> String {
        match self {
            Dialect::Sqlite => format!("SELECT name FROM pragma_table_info('{table}')"),
            Dialect::Postgres => format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}'"
            ),
            Dialect::MySql => format!(
                "SELECT CAST(COLUMN_NAME AS CHAR) FROM information_schema.COLUMNS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
            ),
        }
    }

    /// The table `table.column`'s foreign key points at.
    pub fn foreign_key_query(self, table: &str, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!(
                "SELECT \"table\" FROM pragma_foreign_key_list('{table}') WHERE \"from\" = '{column}'"
            ),
            Dialect::Postgres => format!(
                "SELECT CAST(ccu.table_name AS TEXT) \
                 FROM information_schema.table_constraints tc \
                 JOIN information_schema.key_column_usage kcu \
                   ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema \
                 JOIN information_schema.constraint_column_usage ccu \
                   ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema \
                 WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema() \
                   AND tc.table_name = '{table}' AND kcu.column_name = '{column}'"
            ),
            Dialect::MySql => format!(
                "SELECT CAST(REFERENCED_TABLE_NAME AS CHAR) FROM information_schema.KEY_COLUMN_USAGE \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}' \
                   AND COLUMN_NAME = '{column}' AND REFERENCED_TABLE_NAME IS NOT NULL"
            ),
        }
    }

    /// The names of the tables whose name ends in `groups` (filtered further by the caller).
    pub fn groups_tables_query(self) -> &'static str {
        match self {
            Dialect::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%groups'"
            }
            Dialect::Postgres => {
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name LIKE '%groups'"
            }
            Dialect::MySql => {
                "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%groups'"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_database() {
        let sqlite = Dialect::of_url("sqlite:///srv/site/db.sqlite3", false).unwrap();
        let expected = "sqlite:///srv/site/db.sqlite3?mode=ro".to_owned();
        assert_eq!(sqlite, (expected, Dialect::Sqlite));
        let writable = Dialect::of_url("db.sqlite3", true).unwrap();
        assert_eq!(writable.0, "sqlite://db.sqlite3?mode=rw");
        let postgres = Dialect::of_url("postgres://u@h/db", false).unwrap();
        assert_eq!(postgres.1, Dialect::Postgres);
        let mysql = Dialect::of_url("mysql://u@h/db", false).unwrap();
        assert_eq!(mysql.1, Dialect::MySql);
        assert!(Dialect::of_url("oracle://x", false).is_err());
    }
}
