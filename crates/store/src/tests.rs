//! The log keeps what was committed, in order, across reopenings.

use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn records_come_back_in_order_after_reopening() {
    let dir = temp_dir("order");
    let seed = {
        let opened = Log::open(&dir).unwrap();
        assert!(opened.records.is_empty());
        // Many appends in flight at once: they share transactions (group commit).
        let waits: Vec<_> = (0..100u32)
            .map(|i| opened.log.append(i.to_be_bytes().to_vec()))
            .collect();
        for (i, wait) in waits.into_iter().enumerate() {
            assert_eq!(wait.await.unwrap(), i as u64 + 1);
        }
        opened.log.seed()
    };
    let opened = Log::open(&dir).unwrap();
    assert_eq!(opened.log.seed(), seed);
    let values: Vec<u32> = opened
        .records
        .iter()
        .map(|r| u32::from_be_bytes(r.as_slice().try_into().unwrap()))
        .collect();
    assert_eq!(values, (0..100).collect::<Vec<_>>());
    assert_eq!(opened.log.append(b"next".to_vec()).await.unwrap(), 101);
    let _ = std::fs::remove_dir_all(&dir);
}
