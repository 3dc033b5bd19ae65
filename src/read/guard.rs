//! A fence around the readers gendan does not own. calamine panics on some
//! malformed files (a slice past the end of a truncated .xls stream, an
//! assertion on a stream length — found by the fuzz target, see
//! fuzz/README.md); such a panic must not end the run. `guarded` catches
//! it and returns its message, and keeps the panic hook from printing it:
//! the caller turns it into an ordinary "cannot read the file" error.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                let text = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown failure".into());
                MESSAGE.with(|m| *m.borrow_mut() = text);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic inside it comes back as `Err(message)`.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was = GUARDED.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result.map_err(|_| MESSAGE.with(|m| std::mem::take(&mut *m.borrow_mut())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_an_error_outside() {
        assert_eq!(guarded(|| 1 + 1), Ok(2));
        let r: Result<(), String> = guarded(|| {
            let v: Vec<u8> = Vec::new();
            let i = v.len() + 3;
            let _ = v[i];
        });
        assert!(r.unwrap_err().contains("out of bounds"));
    }
}
