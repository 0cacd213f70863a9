//! Node.js binding of `emotion_core`: option and result conversion only; every decision
//! about images and faces is made in the core crate.

mod annotate;
mod engine;
mod errors;
mod face;
mod options;
mod task;

pub use engine::NativeEngine;
pub use errors::{error_codes, ErrorCodeInfo};

/// A panic is caught where it can happen (the core's decoders, each task): report where and
/// what, without the backtrace Rust's default report adds when RUST_BACKTRACE is set, since a
/// client that can trigger the panic at will could fill the server's log with them.
#[napi_derive::module_init]
fn report_panics_briefly() {
    std::panic::set_hook(Box::new(|info| eprintln!("emotion: caught a panic: {info}")));
}
