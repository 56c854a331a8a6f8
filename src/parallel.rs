//! Work spread over the cores. Loading the built-in packs is much of a short
//! `tactful check`, and it splits into many small, independent items (files, list
//! entries, rules).

use std::sync::Mutex;

/// `work` on every item, on as many threads as there are cores (each taking the next
/// item when it is done with one, so a slow item does not hold the others up); the
/// results in the items' order.
pub fn map<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(items.len());
    if threads < 2 {
        return items.into_iter().map(work).collect();
    }
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let next = || queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).next();
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let (work, next) = (&work, &next);
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(move || std::iter::from_fn(next).map(|(index, item)| (index, work(item))).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    debug_assert_eq!(done.len(), count);
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_however_long_each_takes() {
        let items: Vec<u64> = (0..200).collect();
        let slow_first = |n: u64| {
            std::thread::sleep(std::time::Duration::from_micros((200 - n) * 5));
            n * 2
        };
        assert_eq!(map(items.clone(), slow_first), items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }
}
