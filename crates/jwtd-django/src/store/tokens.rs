//! [`TokenStore`] of the Django-database mode: jwtd's own store decides (rotation's
//! compare-and-set, families, "log out everywhere"), and the site's SimpleJWT tables, when it
//! has them, are kept in step — every refresh token jwtd issues is outstanding there, every one
//! jwtd blacklists is blacklisted there, and one the site blacklisted is refused here.
//!
//! The two databases share no transaction. jwtd's own write comes first and decides; the
//! site's follows. If the site's write fails the request fails (503) after jwtd's own has
//! committed, so a rotation may stand in jwtd without its rows in the site: the client's
//! retry is then refused as a reuse, as a lost answer would be in SimpleJWT.

use async_trait::async_trait;
use jwtd_store::{RefreshToken, Result, Rotation, Succession, TokenState, TokenStore};

use super::DjangoStore;
use crate::blacklist::{Outstanding, SharedBlacklist};

pub(super) fn outstanding(token: &RefreshToken, created_at: i64) -> Outstanding<'_> {
    Outstanding {
        jti: &token.jti,
        user_id: token.user_id,
        token: &token.encoded,
        created_at,
        expires_at: token.expires_at,
    }
}

impl DjangoStore {
    /// The site's blacklist tables, if it has them (an error while it is not connected yet).
    pub(super) fn shared(&self) -> Result<Option<&SharedBlacklist>> {
        Ok(self.site()?.blacklist.as_ref())
    }

    /// When the site's tables say the token was blacklisted, if they do.
    async fn site_blacklisted_at(&self, jti: &str) -> Result<Option<i64>> {
        Ok(match self.shared()? {
            Some(shared) => shared.blacklisted_at(jti).await?,
            None => None,
        })
    }
}

#[async_trait]
impl TokenStore for DjangoStore {
    async fn add_refresh_token(&self, token: &RefreshToken, now: i64) -> Result<()> {
        let shared = self.shared()?;
        self.own.add_refresh_token(token, now).await?;
        if let Some(shared) = shared {
            shared.outstand(&outstanding(token, now)).await?;
        }
        Ok(())
    }

    async fn is_blacklisted(&self, jti: &str) -> Result<bool> {
        if self.own.is_blacklisted(jti).await? {
            return Ok(true);
        }
        Ok(self.site_blacklisted_at(jti).await?.is_some())
    }

    /// jwtd's own record, blacklisted as well when the site blacklisted the token.
    async fn token_state(&self, jti: &str) -> Result<Option<TokenState>> {
        let state = self.own.token_state(jti).await?;
        if state.as_ref().is_some_and(|s| s.blacklisted_at.is_some()) {
            return Ok(state);
        }
        let Some(blacklisted_at) = self.site_blacklisted_at(jti).await? else {
            return Ok(state);
        };
        Ok(Some(match state {
            Some(state) => TokenState {
                blacklisted_at: Some(blacklisted_at),
                ..state
            },
            // Issued by the site, blacklisted there: a family of its own, as jwtd would track it.
            None => TokenState {
                family: jti.to_owned(),
                user_id: None,
                rotated_at: None,
                blacklisted_at: Some(blacklisted_at),
            },
        }))
    }

    async fn blacklist(&self, token: &RefreshToken, now: i64) -> Result<bool> {
        let shared = self.shared()?;
        let blacklisted = self.own.blacklist(token, now).await?;
        if let Some(shared) = shared {
            shared.blacklist(&outstanding(token, now), now).await?;
        }
        Ok(blacklisted)
    }

    async fn rotate(&self, succession: Succession<'_>, now: i64) -> Result<Rotation> {
        let shared = self.shared()?;
        let rotation = self.own.rotate(succession, now).await?;
        if let (Rotation::Rotated, Some(shared)) = (rotation, shared) {
            // SimpleJWT's refresh: `refresh.blacklist()` (when asked), then `outstand()` of
            // the successor.
            if succession.blacklist_old {
                shared
                    .blacklist(&outstanding(succession.old, now), now)
                    .await?;
            }
            shared.outstand(&outstanding(succession.new, now)).await?;
        }
        Ok(rotation)
    }

    async fn revoke_family(&self, family: &str, now: i64) -> Result<Vec<String>> {
        let shared = self.shared()?;
        let revoked = self.own.revoke_family(family, now).await?;
        if let Some(shared) = shared {
            let jtis: Vec<&str> = revoked.iter().map(String::as_str).collect();
            shared.blacklist_jtis(&jtis, now).await?;
        }
        Ok(revoked)
    }

    /// "Log out everywhere" for a site user: the instant is kept in jwtd's own store, and the
    /// user's tokens outstanding at the site are blacklisted there too.
    async fn revoke_user_tokens(&self, user_id: i64, at_micros: i64) -> Result<bool> {
        let site = self.site()?;
        if site.users.by_id(user_id).await?.is_none() {
            return Ok(false);
        }
        self.own
            .revoke_external_user_tokens(user_id, at_micros)
            .await?;
        if let Some(shared) = &site.blacklist {
            shared
                .blacklist_user(user_id, at_micros.div_euclid(1_000_000))
                .await?;
        }
        Ok(true)
    }

    async fn revoke_external_user_tokens(&self, user_id: i64, at_micros: i64) -> Result<()> {
        self.own
            .revoke_external_user_tokens(user_id, at_micros)
            .await
    }

    async fn external_logged_out_at(&self, user_id: i64) -> Result<Option<i64>> {
        self.own.external_logged_out_at(user_id).await
    }

    async fn record_issued_after_logout(
        &self,
        jti: &str,
        user_id: i64,
        expires_at: i64,
    ) -> Result<()> {
        self.own
            .record_issued_after_logout(jti, user_id, expires_at)
            .await
    }

    async fn issued_after_logout(&self, jti: &str, user_id: i64) -> Result<bool> {
        self.own.issued_after_logout(jti, user_id).await
    }

    /// jwtd's own rows only: the site's go with its `flushexpiredtokens`.
    async fn flush_expired(&self, cutoff: i64, batch: u32) -> Result<u64> {
        self.own.flush_expired(cutoff, batch).await
    }
}
