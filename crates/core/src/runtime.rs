//! ONNX Runtime: finding the shared library, one process-wide environment, and pools of
//! sessions so that many threads can run one model at once.
//!
//! This is the only place that knows what the library is called on each platform and where
//! a development checkout's `onnxruntime-node` keeps it; bindings only say where to look.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;
use ort::session::{builder::GraphOptimizationLevel, Session};

use crate::error::{Error, Result};

/// Where `onnxruntime-node` keeps the library inside its npm package.
fn packaged_library_dir() -> PathBuf {
    let platform = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        other => other,
    };
    Path::new("node_modules/onnxruntime-node/bin/napi-v6").join(platform).join(arch)
}

fn library_file_name() -> &'static str {
    match std::env::consts::OS {
        "macos" => "libonnxruntime.1.dylib",
        "windows" => "onnxruntime.dll",
        _ => "libonnxruntime.so.1",
    }
}

/// The path the caller named, as the option or `ORT_DYLIB_PATH`: when there is one it is the only
/// candidate, so a wrong path fails instead of quietly loading another library.
fn named_library(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()).map(PathBuf::from))
}

/// Candidate library paths, most specific first: the path the caller named (alone, see
/// [`named_library`]); else the library inside each `search_from` folder (a platform package
/// ships it next to the addon), then `node_modules/onnxruntime-node` in `search_from`, the
/// working directory, the executable's directory and their ancestors (a development checkout;
/// Node's own module resolution walks up the same way).
pub fn library_candidates(explicit: Option<&Path>, search_from: &[PathBuf]) -> Vec<PathBuf> {
    if let Some(path) = named_library(explicit) {
        return vec![path];
    }
    let mut candidates: Vec<PathBuf> = search_from.iter().map(|dir| dir.join(library_file_name())).collect();
    let relative = packaged_library_dir().join(library_file_name());
    let mut roots: Vec<PathBuf> = search_from.to_vec();
    roots.extend(std::env::current_dir().ok());
    roots.extend(std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)));
    for root in roots {
        for dir in root.ancestors() {
            let candidate = dir.join(&relative);
            if !candidates.contains(&candidate) {
                candidates.push(candidate);
            }
        }
    }
    candidates
}

/// Stack for a thread that may start ONNX Runtime or create its sessions. ONNX Runtime 1.30's
/// start-up recurses over the process's command line, measured at 200-360 bytes of stack per
/// byte of arguments: a Node app started with 120 KB of arguments overflowed the 2 MiB a Rust
/// thread gets (SIGSEGV, no message); the environment's size does not matter. 512 bytes per
/// byte, at least the 8 MiB of a main thread: address space, committed only as used.
#[must_use]
pub fn thread_stack_bytes() -> usize {
    let argument_bytes: usize = std::env::args_os().map(|argument| argument.len() + 1).sum();
    argument_bytes.saturating_mul(512).max(8 << 20)
}

static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());

/// Loads ONNX Runtime once per process. Later calls reuse the first library loaded, but a
/// path they name must still exist: a typo fails on every call, not only the first.
pub fn environment(explicit_library: Option<&Path>, search_from: &[PathBuf]) -> Result<Environment> {
    if let Some(named) = named_library(explicit_library).filter(|p| !p.is_file()) {
        return Err(Error::RuntimeNotFound { searched: vec![named] });
    }
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env.clone());
    }
    let _guard = INIT_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env.clone());
    }
    let candidates = library_candidates(explicit_library, search_from);
    let path = candidates
        .iter()
        .find(|p| p.is_file())
        .ok_or_else(|| Error::RuntimeNotFound { searched: candidates.clone() })?;
    let env = ort::init_from(path)
        .map_err(|source| Error::RuntimeLoad { path: path.clone(), source })?
        .with_name("emotion")
        .build()?;
    Ok(ENVIRONMENT.get_or_init(|| env).clone())
}

/// Sessions of one model, created on demand and reused: ort runs a session through
/// `&mut`, so each concurrent caller borrows its own.
pub struct ModelPool {
    name: &'static str,
    bytes: &'static [u8],
    intra_threads: usize,
    environment: Environment,
    idle: Mutex<Vec<Session>>,
}

impl ModelPool {
    pub fn new(
        name: &'static str,
        bytes: &'static [u8],
        intra_threads: usize,
        environment: Environment,
    ) -> Result<Self> {
        let pool = Self { name, bytes, intra_threads, environment, idle: Mutex::new(Vec::new()) };
        // Create one session now so a broken model fails at start-up, not on the first request.
        let first = pool.create()?;
        pool.give_back(first);
        Ok(pool)
    }

    fn create(&self) -> Result<Session> {
        let session_error = |e: ort::Error<_>| Error::runtime(self.name, e);
        Session::builder(&self.environment)?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(session_error)?
            .with_intra_threads(self.intra_threads.max(1))
            .map_err(session_error)?
            .with_inter_threads(1)
            .map_err(session_error)?
            .with_intra_op_spinning(false)
            .map_err(session_error)?
            .commit_from_memory(self.bytes)
            .map_err(|e| Error::runtime(self.name, e))
    }

    fn give_back(&self, session: Session) {
        self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(session);
    }

    /// Runs `f` with a session of its own.
    pub fn with_session<R>(&self, f: impl FnOnce(&mut Session) -> Result<R>) -> Result<R> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let mut session = match idle {
            Some(session) => session,
            None => self.create()?,
        };
        let result = f(&mut session);
        self.give_back(session);
        result
    }
}

/// Runs a single-input model on an NHWC tensor and returns every output, flattened, in the
/// model's declared order.
pub fn run_single_input(session: &mut Session, tensor: &[f32], shape: [usize; 4]) -> Result<Vec<Vec<f32>>> {
    let input = ort::value::TensorRef::from_array_view((shape, tensor))?;
    let outputs = session.run(ort::inputs![input])?;
    outputs.values().map(|value| Ok(value.try_extract_tensor::<f32>()?.1.to_vec())).collect()
}

/// Picks the output holding exactly `len` values.
pub fn output_of_len(outputs: &mut [Vec<f32>], len: usize, what: &str) -> Result<Vec<f32>> {
    outputs
        .iter_mut()
        .find(|o| o.len() == len)
        .map(std::mem::take)
        .ok_or_else(|| Error::ModelOutput(format!("no {what} output of {len} values")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_library_is_the_only_candidate() {
        let named = Path::new("/no/such/libonnxruntime.so.1");
        assert_eq!(library_candidates(Some(named), &[PathBuf::from("/addon")]), vec![named.to_path_buf()]);
    }

    #[test]
    fn the_library_next_to_the_addon_comes_first() {
        if std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty()) {
            return; // a named library replaces the search; covered above
        }
        let candidates = library_candidates(None, &[PathBuf::from("/addon")]);
        assert_eq!(candidates[0], Path::new("/addon").join(library_file_name()));
    }

    #[test]
    fn a_missing_named_library_fails_naming_it() {
        let named = Path::new("/no/such/libonnxruntime.so.1");
        let Err(error) = environment(Some(named), &[]) else { panic!("a missing library must fail") };
        assert!(matches!(error, Error::RuntimeNotFound { .. }));
        assert!(error.to_string().contains("/no/such/libonnxruntime.so.1"), "{error}");
    }
}
