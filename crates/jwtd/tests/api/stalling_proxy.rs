//! A TCP proxy a test can stall. While stalled it still accepts connections and takes bytes
//! (as a congested or partitioned network does: the sender's kernel sees them acknowledged)
//! but forwards nothing either way; when it passes again, what it held flows on in order.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

pub struct StallingProxy {
    pub addr: SocketAddr,
    stalled: watch::Sender<bool>,
    /// Accepts connections; aborting it (on drop) aborts every connection's pipes.
    accepting: tokio::task::JoinHandle<()>,
}

impl StallingProxy {
    /// Listens on a free loopback port and forwards each connection to `upstream`.
    pub async fn start(upstream: SocketAddr) -> StallingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stalled, gate) = watch::channel(false);
        let accepting = tokio::spawn(async move {
            let mut pipes = JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                pipes.spawn(pipe(client_read, server_write, gate.clone()));
                pipes.spawn(pipe(server_read, client_write, gate.clone()));
            }
        });
        StallingProxy {
            addr,
            stalled,
            accepting,
        }
    }

    /// From now on nothing is forwarded.
    pub fn stall(&self) {
        self.stalled.send_replace(true);
    }

    /// Forwards again, what was held first.
    pub fn pass(&self) {
        self.stalled.send_replace(false);
    }
}

impl Drop for StallingProxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

/// Copies `from` to `to`, each chunk only while the proxy passes traffic.
async fn pipe(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut gate: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let read = from.read(&mut buf).await.unwrap_or(0);
        if gate.wait_for(|stalled| !*stalled).await.is_err() {
            return;
        }
        if read == 0 || to.write_all(&buf[..read]).await.is_err() {
            let _ = to.shutdown().await;
            return;
        }
    }
}
