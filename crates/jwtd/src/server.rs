//! Start-up and shutdown: data directory, signing key, database, listener, graceful stop.

use std::future::Future;
use std::net::SocketAddr;
use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use jwtd_core::password::Hasher;
use jwtd_core::settings::DjangoRoles;
use jwtd_core::token::TokenService;
use jwtd_core::{Clock, Settings};
use jwtd_django::{DjangoStore, ReadOptions, SiteConfig};
use jwtd_store::{CallLimits, PoolConfig, Store, redact_url};
use tokio::net::TcpListener;

use crate::api::endpoints::{self, Served};
use crate::hashing::HashPool;
use crate::keys::{self, KeySet, LiveKeySet};
use crate::metrics::Metrics;
use crate::state::{AppState, Published};

/// A bound, ready server.
pub struct Server {
    state: AppState,
    /// The endpoints served, at their paths.
    served: Vec<Served>,
    listener: TcpListener,
    /// `metrics.bind`: `/metrics` on its own address.
    metrics_listener: Option<TcpListener>,
    /// The store's key set, kept current while serving (asymmetric deployments without a
    /// static key).
    key_set: Option<LiveKeySet>,
}

/// Creates the data directory (mode 0700) if needed.
pub fn prepare_data_dir(settings: &Settings) -> anyhow::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&settings.data_dir)
        .with_context(|| {
            format!(
                "cannot create the data directory {}",
                settings.data_dir.display()
            )
        })
}

/// Cookie mode's run-time part, when `cookies.enabled`: the refresh cookie's path from the
/// served refresh and logout routes, and the CSRF key from the deployment's secret.
fn cookie_mode(
    settings: &Settings,
    served: &[crate::api::endpoints::Served],
) -> anyhow::Result<Option<crate::api::cookies::CookieMode>> {
    if !settings.cookies.enabled {
        return Ok(None);
    }
    let path = |name: &str| {
        served
            .iter()
            .find(|s| s.endpoint.name == name)
            .map(|s| s.path.as_str())
    };
    let secret = keys::deployment_secret(settings)?;
    Ok(Some(crate::api::cookies::CookieMode::new(
        &settings.cookies,
        path("token_refresh"),
        path("logout"),
        &secret,
    )))
}

/// Opens (creating and migrating) the configured database, once.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    prepare_data_dir(settings)?;
    let url = settings.effective_database_url();
    jwtd_store::open(&url, &pool_config(settings))
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(&url)))
}

/// Opens the database, retrying with exponential back-off (0.5 s doubling to 30 s) while it
/// is unreachable, so a server started before its database waits for it instead of dying.
/// Errors that waiting cannot fix (a bad URL, a failed migration) end the wait at once.
pub async fn open_store_patiently(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    prepare_data_dir(settings)?;
    let url = settings.effective_database_url();
    let mut delay = Duration::from_millis(500);
    loop {
        match jwtd_store::open(&url, &pool_config(settings)).await {
            Ok(store) => return Ok(store),
            // A local SQLite file that cannot be opened will not open later either.
            Err(e) if e.is_transient() && !url.starts_with("sqlite:") => {
                tracing::warn!(
                    database = %redact_url(&url),
                    error = %e,
                    retry_in = ?delay,
                    "database unreachable; retrying"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot open the database {}", redact_url(&url)));
            }
        }
    }
}

/// In the Django-database mode (`[django]`), the store that serves the site's users from its
/// own database and keeps the rest in `own`; otherwise `own` itself. The site's database is
/// connected to in the background: jwtd serves (503 for what needs a user) until it answers.
pub fn serve_django_users(
    settings: &Settings,
    own: Arc<dyn Store>,
) -> anyhow::Result<Arc<dyn Store>> {
    let Some(django) = &settings.django else {
        return Ok(own);
    };
    let config = SiteConfig {
        database_url: django.database_url.clone(),
        read: ReadOptions {
            user_table: django.user_table.clone(),
            login_field: Some(settings.login_field.name().to_owned()),
            groups: django.roles == DjangoRoles::Groups,
        },
        pool: pool_config(settings),
        writes_last_login: settings.update_last_login,
        writes_passwords: django.writes_passwords(),
    };
    let store = DjangoStore::start(own, config).context("setting `django.database_url`")?;
    Ok(Arc::new(store))
}

/// Waits (up to `database_acquire_timeout`, at least 5 s) until the database the users live in
/// answers: at once for jwtd's own, a Django site's once connected. For commands that start,
/// work and stop.
pub async fn users_database_ready(store: &dyn Store, settings: &Settings) -> anyhow::Result<()> {
    let patience = settings
        .database_acquire_timeout
        .max(Duration::from_secs(5));
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match store.users_database().await {
            None | Some(Ok(())) => return Ok(()),
            Some(Err(e)) if tokio::time::Instant::now() >= deadline => {
                anyhow::bail!("the Django database did not answer within {patience:?}: {e}")
            }
            Some(Err(_)) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

fn pool_config(settings: &Settings) -> PoolConfig {
    PoolConfig {
        max_connections: settings.database_pool_size,
        acquire_timeout: settings.database_acquire_timeout,
    }
}

impl Server {
    pub async fn build(settings: Settings) -> anyhow::Result<Server> {
        Server::build_with_clock(settings, Clock::system()).await
    }

    /// [`Server::build`] reading time from `clock` (tests set a manual one).
    pub async fn build_with_clock(settings: Settings, clock: Clock) -> anyhow::Result<Server> {
        settings.validate()?;
        let served = endpoints::resolve(&settings)?;
        let store = open_store_patiently(&settings).await?;
        let store = serve_django_users(&settings, store)?;
        let store = jwtd_store::bounded(
            store,
            CallLimits {
                deadline: settings.database_acquire_timeout + settings.database_query_timeout,
                max_pending: settings.database_max_pending,
            },
        );
        let (ring, key_set) = keys::initial_ring(&settings, &store, clock.now().secs()).await?;
        let tokens = TokenService::new(&settings, ring);
        let hasher = match &settings.django {
            Some(django) => Hasher::django_pbkdf2_sha256(django.pbkdf2_iterations),
            None => Hasher::new(&settings.hashing)?,
        };
        let metrics = Metrics::new();
        let hashing = HashPool::new(hasher, settings.hashing.workers, settings.hashing.queue)
            .observed_by(metrics.hash_seconds.clone());
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let metrics_listener = match settings.metrics.bind {
            Some(addr) if settings.metrics.enabled => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen on {addr} (metrics.bind)"))?,
            ),
            _ => None,
        };
        tracing::info!(
            data_dir = %settings.data_dir.display(),
            database = %redact_url(&settings.effective_database_url()),
            "storage ready"
        );
        let published = Published {
            openapi: crate::api::openapi::build(
                &settings,
                served.iter().flat_map(|s| {
                    let (path, name) = (s.path.as_str(), s.endpoint.name);
                    s.endpoint.docs.iter().map(move |d| (path, name, d))
                }),
            ),
            route_labels: served
                .iter()
                .map(|s| (s.path.clone(), s.endpoint.name))
                .collect(),
            cookies: cookie_mode(&settings, &served)?,
            console: crate::console::cookie_mode(&settings, &keys::deployment_secret(&settings)?),
            key_set: match &key_set {
                Some(_) => Some(KeySet::open(&settings, Arc::clone(&store))?),
                None => None,
            },
        };
        let state = AppState::new(settings, store, tokens, hashing, metrics, clock, published);
        match &key_set {
            Some(LiveKeySet { set, live }) => keys::refresh::publish_metrics(set, &state, live),
            None => {
                let ring = state.tokens.keys();
                let kid = ring.signing_kid().unwrap_or_default();
                let alg = state.settings.algorithm.name();
                state.metrics.signing_keys([(kid, alg, "current")]);
            }
        }
        Ok(Server {
            key_set,
            state,
            served,
            listener,
            metrics_listener,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish (up to
    /// `shutdown_grace`) and closes the database.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Server {
            state,
            served,
            listener,
            metrics_listener,
            key_set,
        } = self;
        if let Some(LiveKeySet { set, live }) = key_set {
            let every = state.settings.keys.reload_interval;
            tokio::spawn(keys::refresh::keep_current(set, state.clone(), every, live));
        }
        if let Some(listener) = metrics_listener {
            let addr = listener.local_addr()?;
            let app = crate::api::metrics_router(state.clone());
            tracing::info!(%addr, "metrics listening");
            // Stops with the process; scrapes need no draining.
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!(error = %e, "metrics listener failed");
                }
            });
        }
        let addr = listener.local_addr()?;
        let grace = state.settings.shutdown_grace;
        let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
        let app = crate::api::router(state.clone(), &served);
        let server = crate::connections::serve(listener, app, state.clone(), async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            let _ = stopping_tx.send(true);
        });
        tracing::info!(%addr, "listening");
        tokio::select! {
            () = server => {},
            () = async {
                let _ = stopping_rx.wait_for(|stopping| *stopping).await;
                tokio::time::sleep(grace).await;
            } => tracing::warn!(?grace, "in-flight requests did not finish within the grace period"),
        }
        state.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
