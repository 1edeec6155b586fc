//! Column memory handed back for reuse. A parallel CSV read fills fresh
//! value vectors for every chunk, and the batches made of them are written
//! and profiled, then dropped, a few chunks later. New vectors came from
//! the allocator as fresh pages, each zeroed by the kernel on its first
//! write: a page fault per 4 KiB of every column, a fifth of the parsing
//! time. Here a chunk's Arrow buffers own their vectors through a
//! [`Spent`] that gives them back to the read's [`Pools`] when the last
//! array using them is dropped, and the next chunk fills them again.
//!
//! The pools belong to one read (they live as long as its reader or any of
//! its batches) and keep a bounded number of vectors, so nothing is held
//! once the read and its data are gone.

use std::ptr::NonNull;
use std::sync::{Arc, Mutex};

use arrow_buffer::{ArrowNativeType, Buffer};

/// Spent vectors kept per pool: more than the chunks in flight between
/// the parser and the last consumer of a batch (the parsing queue, the
/// profile's queue and two row groups of the store) need at a time.
const KEPT: usize = 48;

/// Spent vectors of one element type.
#[derive(Debug)]
pub(crate) struct Pool<T> {
    spent: Mutex<Vec<Vec<T>>>,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool {
            spent: Mutex::new(Vec::new()),
        }
    }
}

impl<T> Pool<T> {
    /// An empty vector with room for `capacity` values: a spent one when
    /// one is large enough, otherwise a new one with an eighth more room
    /// (chunks differ a little in size; growing a spent vector by a few
    /// values would copy and fault it in anew).
    pub(crate) fn take(&self, capacity: usize) -> Vec<T> {
        let spent = self.spent.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match spent {
            Some(mut v) if v.capacity() >= capacity => {
                v.clear();
                v
            }
            _ => Vec::with_capacity(capacity.saturating_add(capacity / 8)),
        }
    }

    /// Keep `v` for a later [`Pool::take`] (unless enough are kept).
    pub(crate) fn give(&self, v: Vec<T>) {
        if v.capacity() == 0 {
            return;
        }
        let mut spent = self.spent.lock().unwrap_or_else(|p| p.into_inner());
        if spent.len() < KEPT {
            spent.push(v);
        }
    }
}

/// The pools of one read, a pool per element type of the column vectors.
#[derive(Debug, Default)]
pub(crate) struct Pools {
    pub(crate) i64: Pool<i64>,
    pub(crate) f64: Pool<f64>,
    pub(crate) i32: Pool<i32>,
    pub(crate) u8: Pool<u8>,
}

/// An element type with a pool in [`Pools`].
pub(crate) trait Pooled: ArrowNativeType + std::panic::RefUnwindSafe {
    fn pool(pools: &Pools) -> &Pool<Self>;
}

/// Each element type's pool.
macro_rules! pooled {
    ($($t:ty => $field:ident),*) => {
        $(impl Pooled for $t {
            fn pool(pools: &Pools) -> &Pool<Self> {
                &pools.$field
            }
        })*
    };
}

pooled!(i64 => i64, f64 => f64, i32 => i32, u8 => u8);

/// The owner of a vector lent to an Arrow buffer: gives it back to its
/// pool when the buffer's last user drops it.
struct Spent<T: Pooled> {
    values: Vec<T>,
    pools: Arc<Pools>,
}

impl<T: Pooled> Drop for Spent<T> {
    fn drop(&mut self) {
        T::pool(&self.pools).give(std::mem::take(&mut self.values));
    }
}

/// `values` as an Arrow buffer whose vector goes back to `pools` once no
/// array uses it.
pub(crate) fn buffer<T: Pooled>(values: Vec<T>, pools: &Arc<Pools>) -> Buffer {
    if values.is_empty() {
        return Buffer::from_vec(values);
    }
    let len = size_of_val(values.as_slice());
    let ptr = NonNull::from(values.as_slice()).cast::<u8>();
    let owner = Arc::new(Spent {
        values,
        pools: pools.clone(),
    });
    // SAFETY: `ptr` points to the `len` initialised bytes of the vector's
    // values. The vector is owned by `owner` and never touched until the
    // buffer drops `owner` (moving a vector does not move its heap
    // memory), so the bytes stay valid and unchanged for the buffer's life.
    unsafe { Buffer::from_custom_allocation(ptr, len, owner) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Float64Array;

    #[test]
    fn a_buffer_s_vector_returns_to_its_pool_when_the_last_array_is_dropped() {
        let pools = Arc::new(Pools::default());
        let mut v = pools.f64.take(1000);
        v.extend((0..1000).map(f64::from));
        let at = v.as_ptr();
        let array = Float64Array::new(buffer(v, &pools).into(), None);
        let slice = array.slice(10, 5);
        drop(array);
        assert_eq!(slice.value(0), 10.0);
        assert!(pools.f64.spent.lock().unwrap().is_empty());
        drop(slice);
        // the same memory, empty, with its capacity
        let again = pools.f64.take(1000);
        assert_eq!((again.as_ptr(), again.len()), (at, 0));
        assert!(again.capacity() >= 1000);
        // one too small for the next chunk is not grown but replaced
        drop(Float64Array::new(buffer(again, &pools).into(), None));
        assert!(pools.f64.take(2000).capacity() >= 2250);
    }

    #[test]
    fn pools_keep_a_bounded_number_of_vectors() {
        let pool = Pool::<u8>::default();
        for _ in 0..2 * KEPT {
            pool.give(vec![1; 16]);
        }
        pool.give(Vec::new());
        assert_eq!(pool.spent.lock().unwrap().len(), KEPT);
    }
}
