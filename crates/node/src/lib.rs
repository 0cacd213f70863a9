//! Node.js binding of `emotion_core`: option and result conversion only; every decision
//! about images, faces and the engine's threads is made in the core crate.

mod annotate;
mod engine;
mod errors;
mod face;
mod options;
mod settle;

pub use engine::{CallToken, NativeEngine};
pub use errors::{error_codes, ErrorCodeInfo};

/// A panic is caught where it can happen (the core's decoders, each task): report where and
/// what, without the backtrace Rust's default report adds when RUST_BACKTRACE is set, since a
/// client that can trigger the panic at will could fill the server's log with them.
#[napi_derive::module_init]
fn report_panics_briefly() {
    std::panic::set_hook(Box::new(|info| eprintln!("emotion: caught a panic: {info}")));
}

/// How many calls an engine runs at once when `threads` is not given: the whole CPUs this
/// process may use (its cgroup's CPU quota, else every CPU), as the core counts them.
#[napi_derive::napi]
pub fn default_threads() -> u32 {
    u32::try_from(emotion_core::default_threads()).unwrap_or(u32::MAX)
}
