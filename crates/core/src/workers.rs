//! The engine's own threads: a fixed set of workers taking calls from one bounded queue, so an
//! embedding application's threads (Node's libuv pool: its file system, DNS, crypto, zlib)
//! never wait behind a model.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::cancel::{run_with, CancelToken};
use crate::error::{Error, Result};

/// How many calls run at once by default: the whole CPUs this process may use. Rust's
/// `available_parallelism` caps the CPU affinity by the cgroup's CPU quota (v2, and v1 since
/// Rust 1.64), rounded down, at least 1: a container limited to 2 CPUs on a 64-core node gets 2,
/// not 64 threads that the quota would throttle.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// A call handed to the workers: run with `Ok(())` under its token, or told with `Err` why it
/// will not run (cancelled while it waited, or the workers closed).
type Job = Box<dyn FnOnce(Result<()>) + Send>;

struct Queued {
    token: Arc<CancelToken>,
    job: Job,
}

struct State {
    queue: VecDeque<Queued>,
    closed: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    max_queue: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A job runs outside the lock, so a panic cannot poison it while held; recover anyway.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

pub struct Workers {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Workers {
    /// `threads` workers (at least one); at most `max_queue` calls wait for one of them.
    pub fn new(threads: usize, max_queue: usize) -> Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State { queue: VecDeque::new(), closed: false }),
            wake: Condvar::new(),
            max_queue,
        });
        let handles = (0..threads.max(1))
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("emotion-{i}"))
                    .stack_size(crate::runtime::thread_stack_bytes())
                    .spawn(move || work(&shared))
                    .map_err(|e| Error::InvalidOptions(format!("cannot start the engine's threads: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { shared, threads: Mutex::new(handles) })
    }

    /// Queues `job`. Every job is called exactly once: with `Ok(())` on a worker, to run, or
    /// with the error that keeps it from running: [`Error::Busy`] at once (here, on the caller's
    /// thread) when `max_queue` calls are already waiting, [`Error::Closed`] after
    /// [`close`](Self::close), or its token's error when it was cancelled while it waited.
    /// The returned error is the one `job` was given, if any.
    pub fn submit(&self, token: Arc<CancelToken>, job: impl FnOnce(Result<()>) + Send + 'static) -> Result<()> {
        let cancelled;
        {
            let mut state = self.shared.lock();
            if state.closed {
                drop(state);
                job(Err(Error::Closed));
                return Err(Error::Closed);
            }
            // Calls cancelled while they waited leave now: they must not count against the limit.
            let (dead, live): (VecDeque<_>, VecDeque<_>) =
                state.queue.drain(..).partition(|queued| queued.token.check().is_err());
            state.queue = live;
            cancelled = dead;
            if state.queue.len() >= self.shared.max_queue {
                drop(state);
                settle_unrun(cancelled);
                job(Err(Error::Busy { max_queue: self.shared.max_queue }));
                return Err(Error::Busy { max_queue: self.shared.max_queue });
            }
            state.queue.push_back(Queued { token, job: Box::new(job) });
        }
        self.shared.wake.notify_one();
        settle_unrun(cancelled);
        Ok(())
    }

    /// Calls waiting for a thread.
    pub fn queued(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// Refuses new calls, lets the queued and running ones finish, and waits for the threads
    /// to end. Idempotent.
    pub fn close(&self) {
        self.stop_taking_calls();
        let handles = std::mem::take(&mut *self.threads.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for handle in handles {
            let _ = handle.join();
        }
    }

    /// [`close`](Self::close) without the wait: the threads end once the queue is empty.
    pub fn stop_taking_calls(&self) {
        self.shared.lock().closed = true;
        self.shared.wake.notify_all();
    }
}

/// Dropped (e.g. its JavaScript owner collected), the workers finish what was queued and end
/// on their own: waiting for them here would block whichever thread drops it.
impl Drop for Workers {
    fn drop(&mut self) {
        self.stop_taking_calls();
    }
}

fn settle_unrun(jobs: VecDeque<Queued>) {
    for Queued { token, job } in jobs {
        job(token.check());
    }
}

fn work(shared: &Shared) {
    loop {
        let Queued { token, job } = {
            let mut state = shared.lock();
            loop {
                if let Some(next) = state.queue.pop_front() {
                    break next;
                }
                if state.closed {
                    return;
                }
                state = shared.wake.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
            }
        };
        // A call cancelled while it waited never runs. A panic in a job must not end the thread
        // (the binding's jobs catch their own, to answer the call; this keeps the pool whole).
        let _ = catch_unwind(AssertUnwindSafe(|| match token.check() {
            Ok(()) => run_with(&token, || job(Ok(()))),
            Err(error) => job(Err(error)),
        }));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn calls_run_on_the_workers_and_a_full_queue_refuses_at_once() {
        let workers = Workers::new(1, 1).expect("starts");
        let (release, blocked) = mpsc::channel::<()>();
        let (done, finished) = mpsc::channel();
        let (started_tx, started) = mpsc::channel();
        workers
            .submit(CancelToken::new(), move |ready| {
                started_tx.send(()).expect("sends");
                blocked.recv().expect("released");
                ready.expect("runs");
            })
            .expect("first runs");
        started.recv_timeout(Duration::from_secs(5)).expect("the first call started");
        let done2 = done.clone();
        workers.submit(CancelToken::new(), move |ready| done2.send(ready.is_ok()).expect("sends")).expect("queued");
        let (told, refusal) = mpsc::channel();
        let third = workers.submit(CancelToken::new(), move |ready| told.send(ready).expect("sends"));
        assert!(matches!(third, Err(Error::Busy { max_queue: 1 })));
        assert!(matches!(refusal.try_recv().expect("told at once"), Err(Error::Busy { max_queue: 1 })));
        release.send(()).expect("releases");
        assert!(finished.recv_timeout(Duration::from_secs(5)).expect("second ran"));
    }

    #[test]
    fn a_call_cancelled_while_queued_never_runs_and_frees_its_place() {
        let workers = Workers::new(1, 1).expect("starts");
        let (release, blocked) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        workers
            .submit(CancelToken::new(), move |_| {
                started_tx.send(()).expect("sends");
                blocked.recv().expect("released");
            })
            .expect("first runs");
        started.recv_timeout(Duration::from_secs(5)).expect("the first call started");
        let token = CancelToken::new();
        let (told, outcome) = mpsc::channel();
        workers.submit(Arc::clone(&token), move |ready| told.send(ready).expect("sends")).expect("queued");
        token.abort();
        workers.submit(CancelToken::new(), |_| {}).expect("the cancelled call's place is free");
        assert!(matches!(outcome.recv_timeout(Duration::from_secs(5)).expect("told"), Err(Error::Aborted)));
        release.send(()).expect("releases");
    }

    #[test]
    fn close_finishes_queued_calls_then_refuses_new_ones() {
        let workers = Workers::new(2, 100).expect("starts");
        let (done, finished) = mpsc::channel();
        for _ in 0..10 {
            let done = done.clone();
            workers.submit(CancelToken::new(), move |ready| done.send(ready.is_ok()).expect("sends")).expect("queued");
        }
        workers.close();
        assert_eq!(finished.try_iter().filter(|ran| *ran).count(), 10);
        let (told, refusal) = mpsc::channel();
        assert!(matches!(
            workers.submit(CancelToken::new(), move |ready| told.send(ready).expect("sends")),
            Err(Error::Closed)
        ));
        assert!(matches!(refusal.try_recv().expect("told at once"), Err(Error::Closed)));
    }
}
