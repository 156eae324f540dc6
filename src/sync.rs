//! Shared state across the walk's and the API's threads.

use std::sync::{Mutex, MutexGuard};

/// A poisoned lock only means another thread panicked mid-update; the data is still the best we have, and
/// the gate must report rather than crash.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
