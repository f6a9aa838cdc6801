//! Reading many SQLite rows without sqlx's per-row hand-off.
//!
//! sqlx runs each SQLite connection on a thread of its own and passes every
//! row to the async task through a channel: a copy of each value and a
//! wake-up per row. For `trial verify` of a million-entry ledger that was 15 s
//! of a 5 s budget. Here the rows are stepped on the caller's thread through
//! the connection's raw handle, which sqlx lends out while its own thread is
//! parked (`lock_handle`), and each row's columns are read in place.
//!
//! The unsafe code is confined to this module: one statement, prepared,
//! bound with integers, stepped and finalized while the handle is locked.

use libsqlite3_sys as ffi;
use sqlx::SqlitePool;
use std::ffi::{CStr, c_int};
use std::ptr::NonNull;

/// One row's columns, valid only inside the callback.
pub(crate) struct ScanRow<'a> {
    statement: &'a Statement,
}

impl ScanRow<'_> {
    fn is_null(&self, column: usize) -> bool {
        // SAFETY: the statement is prepared and positioned on a row.
        unsafe {
            ffi::sqlite3_column_type(self.statement.raw(), column as c_int) == ffi::SQLITE_NULL
        }
    }

    pub(crate) fn int(&self, column: usize) -> Option<i64> {
        if self.is_null(column) {
            return None;
        }
        // SAFETY: as above; out-of-range columns read as NULL (handled by SQLite).
        Some(unsafe { ffi::sqlite3_column_int64(self.statement.raw(), column as c_int) })
    }

    /// The column's bytes (a text column's UTF-8, a blob's content).
    pub(crate) fn bytes(&self, column: usize) -> Option<&[u8]> {
        if self.is_null(column) {
            return None;
        }
        // SAFETY: `sqlite3_column_blob` then `sqlite3_column_bytes`, in the
        // order SQLite documents; the pointer stays valid until the next step,
        // which cannot happen while this borrow of the row lives.
        unsafe {
            let data = ffi::sqlite3_column_blob(self.statement.raw(), column as c_int);
            let length = ffi::sqlite3_column_bytes(self.statement.raw(), column as c_int);
            if data.is_null() || length <= 0 {
                return Some(&[]);
            }
            Some(std::slice::from_raw_parts(
                data.cast::<u8>(),
                length as usize,
            ))
        }
    }

    pub(crate) fn text(&self, column: usize) -> Option<&str> {
        self.bytes(column)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
    }
}

/// A prepared statement, finalized when dropped.
struct Statement(NonNull<ffi::sqlite3_stmt>);

impl Statement {
    fn raw(&self) -> *mut ffi::sqlite3_stmt {
        self.0.as_ptr()
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: the statement came from `sqlite3_prepare_v2` and is finalized once.
        unsafe {
            ffi::sqlite3_finalize(self.raw());
        }
    }
}

fn failure(db: NonNull<ffi::sqlite3>, what: &str) -> sqlx::Error {
    // SAFETY: `sqlite3_errmsg` returns a NUL-terminated string owned by the connection.
    let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db.as_ptr())) };
    sqlx::Error::Protocol(format!("{what}: {}", message.to_string_lossy()))
}

/// Runs `sql` with the integer parameters `binds` (`?1`, `?2`, …) on a
/// connection of the pool and calls `each` for every row, in order.
/// Meant for one bounded chunk at a time: the calling thread is busy until
/// the statement is done.
pub(crate) async fn for_each_row(
    pool: &SqlitePool,
    sql: &CStr,
    binds: &[i64],
    mut each: impl FnMut(&ScanRow<'_>),
) -> Result<(), sqlx::Error> {
    let mut connection = pool.acquire().await?;
    let mut locked = connection.lock_handle().await?;
    let db = locked.as_raw_handle();
    let mut raw = std::ptr::null_mut();
    // SAFETY: sqlx's worker does not touch the handle while it is locked; the
    // SQL is NUL-terminated; `raw` receives a statement we own.
    let code = unsafe {
        ffi::sqlite3_prepare_v2(
            db.as_ptr(),
            sql.as_ptr(),
            -1,
            &mut raw,
            std::ptr::null_mut(),
        )
    };
    let Some(statement) = NonNull::new(raw).filter(|_| code == ffi::SQLITE_OK) else {
        return Err(failure(db, "prepare"));
    };
    let statement = Statement(statement);
    for (at, value) in binds.iter().enumerate() {
        // SAFETY: a live statement; parameter numbers start at 1.
        if unsafe { ffi::sqlite3_bind_int64(statement.raw(), at as c_int + 1, *value) }
            != ffi::SQLITE_OK
        {
            return Err(failure(db, "bind"));
        }
    }
    loop {
        // SAFETY: a live, bound statement on the locked connection.
        match unsafe { ffi::sqlite3_step(statement.raw()) } {
            ffi::SQLITE_ROW => each(&ScanRow {
                statement: &statement,
            }),
            ffi::SQLITE_DONE => return Ok(()),
            _ => return Err(failure(db, "step")),
        }
    }
}
