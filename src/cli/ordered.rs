//! A map over many inputs on every core whose results come back in input order, as
//! they are ready: `tactful check` reports the first file while later ones are still
//! being checked, and memory holds at most a few results, not one per input.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};

/// How many inputs each worker may run ahead of the one reported next: enough to keep
/// every core busy past a run of slow inputs (with 4, a worker waited for the window
/// about once per two messages of easy-ham-1, 1,700 context switches a run; with 32,
/// under 100), few enough that memory stays bounded: `tactful check` hands over each
/// input's rendered report, a few hundred bytes a finding.
const AHEAD_PER_WORKER: usize = 32;

/// Hands `consume` the results of `work` on every item of `items`, in the order of
/// `items`, worked out on up to `workers` threads. The calling thread is one of them:
/// while the result it needs next is not ready it works on an item itself rather than
/// sleep (a thread per core, and no wake-up per item). With one worker (or one item)
/// everything runs on the calling thread, as it is consumed. When `consume` returns
/// early (a closed pipe) the workers stop after the item in hand.
pub fn map<T, R, F, C, X>(items: &[T], workers: usize, work: F, consume: C) -> X
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
    C: FnOnce(&mut dyn Iterator<Item = R>) -> X,
{
    let workers = workers.min(items.len());
    if workers <= 1 {
        return consume(&mut items.iter().map(work));
    }
    let window = workers * AHEAD_PER_WORKER;
    let gate = Gate { state: Mutex::new(GateState { next_item: 0, reported: 0, closed: false, waiting: 0 }), moved: Condvar::new() };
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 1..workers {
            let (sender, gate, work) = (sender.clone(), &gate, &work);
            scope.spawn(move || {
                while let Some(index) = gate.take(window, items.len()) {
                    if sender.send((index, work(&items[index]))).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        let mut in_order = std::iter::from_fn(|| {
            let result = loop {
                if let Some(result) = waiting.remove(&next) {
                    break result;
                }
                let (index, result) = match receiver.try_recv() {
                    Ok(done) => done,
                    Err(_) => match gate.try_take(window, items.len()) {
                        Some(index) => (index, work(&items[index])),
                        // Every worker gone with items left: one panicked, and the
                        // scope says so.
                        None => receiver.recv().ok()?,
                    },
                };
                waiting.insert(index, result);
            };
            next += 1;
            gate.reported(next);
            Some(result)
        });
        let consumed = consume(&mut in_order);
        gate.close();
        consumed
    })
}

/// Hands out item indices, never more than a window past the last one reported.
struct Gate {
    state: Mutex<GateState>,
    moved: Condvar,
}

struct GateState {
    next_item: usize,
    reported: usize,
    /// Nothing more is wanted.
    closed: bool,
    /// Workers waiting for the window to move: waking nobody is a system call saved
    /// per item.
    waiting: usize,
}

impl Gate {
    /// The next item to work on, once it is within `window` of the reported ones;
    /// `None` when all `len` are taken.
    fn take(&self, window: usize, len: usize) -> Option<usize> {
        let mut state = self.lock();
        loop {
            if state.closed || state.next_item == len {
                return None;
            }
            if state.next_item < state.reported + window {
                state.next_item += 1;
                return Some(state.next_item - 1);
            }
            state.waiting += 1;
            state = self.moved.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            state.waiting -= 1;
        }
    }

    /// As [`Gate::take`], but `None` at once when the window is full.
    fn try_take(&self, window: usize, len: usize) -> Option<usize> {
        let mut state = self.lock();
        let open = !state.closed && state.next_item < len && state.next_item < state.reported + window;
        open.then(|| {
            state.next_item += 1;
            state.next_item - 1
        })
    }

    fn reported(&self, count: usize) {
        self.update(|state| state.reported = count);
    }

    fn close(&self) {
        self.update(|state| state.closed = true);
    }

    /// Changes the state, and wakes the workers waiting on it, if any.
    fn update(&self, change: impl FnOnce(&mut GateState)) {
        let mut state = self.lock();
        change(&mut state);
        let waiting = state.waiting > 0;
        drop(state);
        if waiting {
            self.moved.notify_all();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Later items finish first (the work sleeps less for them), and still come back in
    /// order.
    #[test]
    fn results_come_in_input_order_whatever_order_they_finish_in() {
        let items: Vec<u64> = (0..40).collect();
        let slow_first = |&n: &u64| {
            std::thread::sleep(std::time::Duration::from_micros((40 - n) * 50));
            n * 10
        };
        let results = map(&items, 3, slow_first, |results| results.collect::<Vec<_>>());
        assert_eq!(results, items.iter().map(|n| n * 10).collect::<Vec<_>>());
    }

    #[test]
    fn stopping_early_ends_the_workers() {
        let items: Vec<u32> = (0..1000).collect();
        let taken = map(&items, 2, |&n| n, |results| results.take(3).collect::<Vec<_>>());
        assert_eq!(taken, [0, 1, 2]);
    }

    #[test]
    fn one_worker_runs_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let items = [1, 2, 3];
        let threads = map(&items, 1, |_| std::thread::current().id(), |results| results.collect::<Vec<_>>());
        assert!(threads.iter().all(|&id| id == caller));
    }
}
