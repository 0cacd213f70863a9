//! Stopping a call early. A call's token is set for the thread that runs it ([`run_with`]),
//! and the engine checks it between model runs ([`checkpoint`]), so a cancelled call returns as
//! soon as the model run under way ends, without every stage taking the token as an argument.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

const LIVE: u8 = 0;
const ABORTED: u8 = 1;
const TIMED_OUT: u8 = 2;

/// Shared by a call and whoever may cancel it (another thread, a JavaScript `AbortSignal`).
#[derive(Debug, Default)]
pub struct CancelToken {
    state: AtomicU8,
}

impl CancelToken {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The caller gave up: the call ends with [`Error::Aborted`]. The first reason given stays.
    pub fn abort(&self) {
        let _ = self.state.compare_exchange(LIVE, ABORTED, Ordering::AcqRel, Ordering::Acquire);
    }

    /// The call's time ran out: it ends with [`Error::TimedOut`].
    pub fn time_out(&self) {
        let _ = self.state.compare_exchange(LIVE, TIMED_OUT, Ordering::AcqRel, Ordering::Acquire);
    }

    /// `Ok` while the call may go on, else the error it ends with.
    pub fn check(&self) -> Result<()> {
        match self.state.load(Ordering::Acquire) {
            LIVE => Ok(()),
            TIMED_OUT => Err(Error::TimedOut),
            _ => Err(Error::Aborted),
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<CancelToken>>> = const { RefCell::new(None) };
}

/// Runs `work` with `token` as this thread's current call's token.
pub fn run_with<T>(token: &Arc<CancelToken>, work: impl FnOnce() -> T) -> T {
    struct Reset(Option<Arc<CancelToken>>);
    impl Drop for Reset {
        fn drop(&mut self) {
            CURRENT.with(|current| *current.borrow_mut() = self.0.take());
        }
    }
    let _reset = Reset(CURRENT.with(|current| current.borrow_mut().replace(Arc::clone(token))));
    work()
}

/// Between model runs: the current call's error if it was cancelled (never, outside `run_with`).
pub(crate) fn checkpoint() -> Result<()> {
    CURRENT.with(|current| current.borrow().as_ref().map_or(Ok(()), |token| token.check()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_sees_its_own_threads_token_and_the_first_reason_stays() {
        let token = CancelToken::new();
        assert!(checkpoint().is_ok());
        run_with(&token, || {
            assert!(checkpoint().is_ok());
            token.time_out();
            token.abort();
            assert!(matches!(checkpoint(), Err(Error::TimedOut)));
        });
        assert!(checkpoint().is_ok(), "the token is the call's only");
    }
}
