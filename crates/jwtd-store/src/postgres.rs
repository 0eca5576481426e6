//! The PostgreSQL store: shared state for several jwtd instances behind one load balancer.
//!
//! One pool serves reads and writes. Transactions run at READ COMMITTED: the rotation's
//! compare-and-set (`UPDATE … WHERE rotated_at IS NULL`) takes the row lock and re-checks its
//! condition after a concurrent rotation commits, so exactly one instance wins. Migrations take
//! sqlx's advisory lock, so instances starting together apply them once.

use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::{Postgres, Transaction};

use crate::{
    Attempt, NewUser, PoolConfig, RefreshToken, Result, Rotation, Succession, ThrottlePolicy,
    TokenState, User,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

pub struct PgStore {
    /// Both names point at the one pool, so the shared SQL can say which it means.
    reader: PgPool,
    writer: PgPool,
    /// Users recently read by id ([`crate::user_cache`]).
    users: crate::user_cache::UserCache,
}

impl PgStore {
    pub async fn open(url: &str, pool: &PoolConfig) -> Result<Self> {
        let options: PgConnectOptions = url.parse()?;
        let options = options.application_name("jwtd");
        let pool = pool.options().connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStore {
            reader: pool.clone(),
            writer: pool,
            users: Default::default(),
        })
    }

    /// Every read goes over the network: none is done in place.
    fn token_state_in_place(&self, _jti: &str) -> Option<Option<TokenState>> {
        None
    }

    fn pools(&self) -> [&PgPool; 1] {
        [&self.writer]
    }

    /// Rows inserted with explicit ids leave the identity sequence behind: move it past them.
    async fn ids_continue_after_max(tx: &mut Transaction<'static, Postgres>) -> Result<()> {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), MAX(id)) FROM users
             HAVING MAX(id) IS NOT NULL",
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Postgres>> {
        Ok(self.writer.begin().await?)
    }

    /// Each rotation commits on its own connection: PostgreSQL already shares WAL flushes
    /// between the pool's concurrent commits.
    async fn rotate_durably(&self, succession: Succession<'_>, now: i64) -> Result<Rotation> {
        rotate_committed(self.write_tx().await?, succession, now).await
    }
}

sql_store!(PgStore, Postgres);
