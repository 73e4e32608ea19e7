use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use proptest::prelude::*;

use super::*;
use crate::hash::FastHasher;

type Strings = GrowMap<String, u32, BuildHasherDefault<FastHasher>>;
type Serials = GrowMap<u64, u64, BuildHasherDefault<FastHasher>>;

#[derive(Clone, Debug)]
enum Op {
    Insert(u16, u32),
    Remove(u16),
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u16..400, any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
        4 => (0u16..400).prop_map(Op::Remove),
        1 => Just(Op::Clear),
    ]
}

proptest! {
    /// Every answer matches std's HashMap, whatever moves are under way.
    #[test]
    fn behaves_like_a_hash_map(ops in proptest::collection::vec(op(), 1..2000)) {
        let mut map = Strings::default();
        let mut model: HashMap<String, u32> = HashMap::new();
        for op in ops {
            match op {
                Op::Insert(k, v) => {
                    let key = format!("key-{k}");
                    prop_assert_eq!(map.insert(key.clone(), v), model.insert(key, v));
                }
                Op::Remove(k) => {
                    let key = format!("key-{k}");
                    prop_assert_eq!(map.remove(key.as_str()), model.remove(&key));
                }
                Op::Clear => {
                    map.clear();
                    model.clear();
                }
            }
            prop_assert_eq!(map.len(), model.len());
        }
        for k in 0u16..400 {
            let key = format!("key-{k}");
            prop_assert_eq!(map.get(key.as_str()), model.get(&key));
            prop_assert_eq!(map.contains_key(key.as_str()), model.contains_key(&key));
        }
        let mut listed: Vec<(String, u32)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let mut expected: Vec<(String, u32)> = model.into_iter().collect();
        listed.sort();
        expected.sort();
        prop_assert_eq!(listed, expected);
    }
}

/// The table taking inserts changes size only when a move starts, never by
/// std-style doubling inside an insert, and each move finishes before the next.
#[test]
fn grows_only_by_starting_moves() {
    let mut map = Serials::default();
    let mut moves = 0;
    for i in 0..200_000u64 {
        let capacity = map.table.capacity();
        let was_moving = map.moving();
        map.insert(i, i * 2);
        if map.table.capacity() != capacity {
            moves += 1;
            assert!(!was_moving, "a move started before the last one finished");
            assert!(map.cursor <= MOVE_BUCKETS, "the new table was not fresh");
        }
    }
    assert!(moves >= 10, "only {moves} moves for 200,000 inserts");
    assert!(!map.moving() || map.old.len() < map.table.capacity());
    assert_eq!(map.len(), 200_000);
    for i in (0..200_000u64).step_by(997) {
        assert_eq!(map.get(&i), Some(&(i * 2)));
    }
}

/// Lookups and updates reach entries still in the old table.
#[test]
fn finds_entries_that_have_not_moved_yet() {
    let mut map = Serials::default();
    let mut i = 0u64;
    while !map.moving() || map.old.len() < 1_000 {
        map.insert(i, i);
        i += 1;
    }
    let in_old = map
        .old
        .iter()
        .next()
        .map(|slot| slot.key)
        .expect("an unmoved entry");
    assert!(map.contains_key(&in_old));
    assert_eq!(map.get(&in_old), Some(&in_old));
    assert_eq!(map.insert(in_old, 7), Some(in_old));
    assert_eq!(map.remove(&in_old), Some(7));
    assert_eq!(map.get(&in_old), None);
    assert_eq!(map.len() as u64, i - 1);
    assert_eq!(map.iter().count() as u64, i - 1);
    // A fresh key moves the old table along too.
    let moving_before = map.old.len();
    map.insert(u64::MAX, 1);
    assert_eq!(map.get(&u64::MAX), Some(&1));
    assert!(map.old.len() < moving_before);
}

/// A churn of inserts and removes with few live entries stays small: tables
/// full of removal tombstones are replaced by tables sized for what is live.
#[test]
fn churn_keeps_memory_bounded() {
    let mut map = Serials::default();
    for i in 0..1_000_000u64 {
        map.insert(i, i);
        if i >= 100 {
            assert_eq!(map.remove(&(i - 100)), Some(i - 100));
        }
    }
    assert_eq!(map.len(), 100);
    let buckets = map.table.num_buckets() + map.old.num_buckets();
    assert!(buckets <= 1024, "{buckets} buckets for 100 live entries");
}

/// The `_hashed` methods index entries kept elsewhere (here, strings in a
/// `Vec`), through moves and with hashes shared by ten entries each.
#[test]
fn hashed_methods_index_entries_kept_elsewhere() {
    let names: Vec<String> = (0..5_000).map(|i| format!("name-{i}")).collect();
    let hash = |i: usize| (i % 500) as u64;
    let mut index = Serials::default();
    for i in 0..names.len() {
        index.insert_hashed(hash(i), i as u64, 0);
    }
    for (i, name) in names.iter().enumerate() {
        let found = index.find_hashed(hash(i), |&k| names[k as usize] == *name);
        assert_eq!(found, Some(&(i as u64)));
    }
    assert_eq!(index.find_hashed(hash(3), |_| false), None);
    for i in (0..names.len()).step_by(2) {
        assert_eq!(index.remove_hashed(hash(i), |&k| k == i as u64), Some(0));
    }
    assert_eq!(index.len(), 2_500);
    assert_eq!(index.remove_hashed(hash(4), |&k| k == 4), None);
    assert_eq!(index.find_hashed(hash(4), |&k| k == 4), None);
    assert_eq!(index.find_hashed(hash(5), |&k| k == 5), Some(&5));
}
