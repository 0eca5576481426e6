//! A time limit that costs nothing when the answer is already there.
//!
//! `tokio::time::timeout` reads the clock and builds a timer entry for every call; most of the
//! calls bounded here (a cached user row, a point read, a request body that came with its
//! headers) are ready on their first poll. Used by [`crate::bounded`] and the server's body
//! reader.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

/// `work`'s output, or `Err(Elapsed)` once `limit` has passed; the timer is set only when the
/// first poll finds `work` waiting.
pub async fn within<F: Future>(
    limit: Duration,
    work: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    let mut work = pin!(work);
    // Polled with the task's own waker, so a wait begun here is woken as usual.
    if let Poll::Ready(output) = poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx))).await {
        return Ok(output);
    }
    tokio::time::timeout(limit, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ready_answer_passes_and_a_late_one_times_out() {
        let ms = Duration::from_millis;
        assert_eq!(within(Duration::ZERO, async { 7 }).await, Ok(7));
        let late = within(ms(10), tokio::time::sleep(ms(2_000)));
        assert!(late.await.is_err(), "the limit holds once the work waits");
        let in_time = within(ms(2_000), async {
            tokio::time::sleep(ms(10)).await;
            8
        });
        assert_eq!(
            in_time.await,
            Ok(8),
            "woken after waiting, within the limit"
        );
    }
}
