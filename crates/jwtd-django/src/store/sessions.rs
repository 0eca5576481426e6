//! Sessions, API keys and the audit log stay in jwtd's own store; a session's refresh tokens
//! are mirrored into the site's blacklist tables, as every other refresh token is.

use async_trait::async_trait;
use jwtd_store::{
    ApiKey, ApiKeyStore, AuditEntry, AuditLog, AuditQuery, NewApiKey, RefreshToken, Result,
    Session, SessionOrigin, SessionStore,
};

use super::DjangoStore;
use super::tokens::outstanding;

#[async_trait]
impl SessionStore for DjangoStore {
    async fn open_session(
        &self,
        token: &RefreshToken,
        origin: &SessionOrigin,
        now: i64,
    ) -> Result<()> {
        let shared = self.shared()?;
        self.own.open_session(token, origin, now).await?;
        if let Some(shared) = shared {
            shared.outstand(&outstanding(token, now)).await?;
        }
        Ok(())
    }

    async fn touch_session(&self, family: &str, now: i64) -> Result<()> {
        self.own.touch_session(family, now).await
    }

    async fn user_sessions(&self, user_id: i64, now: i64) -> Result<Vec<Session>> {
        self.own.user_sessions(user_id, now).await
    }

    async fn session(&self, id: i64, now: i64) -> Result<Option<Session>> {
        self.own.session(id, now).await
    }

    async fn end_other_sessions(
        &self,
        user_id: i64,
        keep: Option<&str>,
        now: i64,
    ) -> Result<Vec<String>> {
        let shared = self.shared()?;
        let ended = self.own.end_other_sessions(user_id, keep, now).await?;
        if let Some(shared) = shared {
            let jtis: Vec<&str> = ended.iter().map(String::as_str).collect();
            shared.blacklist_jtis(&jtis, now).await?;
        }
        Ok(ended)
    }
}

#[async_trait]
impl ApiKeyStore for DjangoStore {
    async fn add_api_key(&self, key: &NewApiKey, now: i64) -> Result<ApiKey> {
        self.own.add_api_key(key, now).await
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>> {
        self.own.api_key_by_hash(key_hash).await
    }

    async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        self.own.api_keys().await
    }

    async fn remove_api_key(&self, name: &str) -> Result<bool> {
        self.own.remove_api_key(name).await
    }
}

#[async_trait]
impl AuditLog for DjangoStore {
    async fn record_audit(&self, entry: &AuditEntry) -> Result<()> {
        self.own.record_audit(entry).await
    }

    async fn audit_entries(&self, query: &AuditQuery) -> Result<(u64, Vec<AuditEntry>)> {
        self.own.audit_entries(query).await
    }

    async fn flush_audit(&self, before: i64) -> Result<u64> {
        self.own.flush_audit(before).await
    }
}
