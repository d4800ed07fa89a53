//! Makes libpython's symbols visible to the extension modules Python loads.
//!
//! The runner loads a plugin with `RTLD_LOCAL`, so the libpython it links
//! against comes in local too, and an extension module (Debian builds
//! `_contextvars`, `_asyncio`, aiohttp's speedups… as shared objects that
//! expect the interpreter's symbols to be global, as they are in `python3`)
//! fails with `undefined symbol: PyContextVar_Type`. Reopening the library
//! that is already loaded with `RTLD_GLOBAL | RTLD_NOLOAD` promotes it: no
//! file is opened, nothing new is loaded. `RTLD_LAZY`, because `RTLD_NOW`
//! would bind every pending symbol of libpython at once (3.5 MiB more
//! resident, measured on the python_gil runs).

/// Promotes the loaded libpython to global symbol scope; an error says why not.
pub(crate) fn make_global() -> Result<(), String> {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let symbol = pyo3::ffi::Py_IsInitialized as *const libc::c_void;
    // SAFETY: dladdr only reads the address and fills `info`.
    if unsafe { libc::dladdr(symbol, info.as_mut_ptr()) } == 0 {
        return Err("dladdr found no library holding the interpreter".to_owned());
    }
    // SAFETY: dladdr succeeded, so `info` is filled; `dli_fname` is the
    // loaded library's NUL-terminated name, valid while it stays loaded.
    let name = unsafe { info.assume_init() }.dli_fname;
    // SAFETY: `name` is a loaded library's name; RTLD_NOLOAD loads nothing.
    let handle = unsafe { libc::dlopen(name, libc::RTLD_LAZY | libc::RTLD_GLOBAL | libc::RTLD_NOLOAD) };
    if handle.is_null() {
        return Err("could not reopen libpython with global symbols".to_owned());
    }
    // The handle is never closed: the library stays for the process's life.
    Ok(())
}
