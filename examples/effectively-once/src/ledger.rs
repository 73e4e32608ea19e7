//! The consumer's database: account balances, one ledger entry per applied
//! payment, and the ids of processed messages. Applying a message and recording its
//! id happen in one transaction, so a crash between them cannot apply twice or lose
//! the record: either both are stored or neither is.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::{Error, Payment};

/// Whether a message's effect was applied now or had been applied before.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// First time: the effect and the message id were stored together.
    Now,
    /// The message id was already recorded: nothing was applied.
    Before,
}

/// The SQLite store.
#[derive(Debug)]
pub struct Ledger {
    db: Connection,
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS accounts (
        id TEXT PRIMARY KEY,
        balance INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ledger_entries (
        payment_id TEXT NOT NULL,
        account TEXT NOT NULL,
        amount INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS processed_messages (
        message_id TEXT PRIMARY KEY
    );
";

impl Ledger {
    /// Opens (and creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        Self::init(Connection::open(path)?)
    }

    /// A database that lives in memory, for tests and demos.
    pub fn in_memory() -> Result<Ledger, Error> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(db: Connection) -> Result<Ledger, Error> {
        db.execute_batch(SCHEMA)?;
        Ok(Ledger { db })
    }

    /// Applies `payment`, carried by message `message_id`, unless that message was
    /// processed before. One transaction: the processed-messages insert is the
    /// guard, and the effect only happens when it inserted a row.
    pub fn apply(&mut self, message_id: &str, payment: &Payment) -> Result<Applied, Error> {
        let tx = self.db.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO processed_messages (message_id) VALUES (?1)",
            params![message_id],
        )?;
        if inserted == 0 {
            // Dropping the transaction rolls back nothing: nothing was written.
            return Ok(Applied::Before);
        }
        tx.execute(
            "INSERT INTO ledger_entries (payment_id, account, amount) VALUES (?1, ?2, ?3)",
            params![payment.id, payment.account, payment.amount],
        )?;
        tx.execute(
            "INSERT INTO accounts (id, balance) VALUES (?1, ?2)
             ON CONFLICT(id) DO UPDATE SET balance = balance + excluded.balance",
            params![payment.account, payment.amount],
        )?;
        tx.commit()?;
        Ok(Applied::Now)
    }

    /// How many messages were processed.
    pub fn processed(&self) -> Result<u64, Error> {
        let count: i64 = self
            .db
            .query_row("SELECT COUNT(*) FROM processed_messages", [], |r| r.get(0))?;
        // SQLite integers are signed; a count is never negative.
        Ok(count.unsigned_abs())
    }

    /// An account's balance (0 for an unknown account).
    pub fn balance(&self, account: &str) -> Result<i64, Error> {
        let balance = self.db.query_row(
            "SELECT COALESCE((SELECT balance FROM accounts WHERE id = ?1), 0)",
            params![account],
            |r| r.get(0),
        )?;
        Ok(balance)
    }

    /// How many times each payment's effect was applied, by payment id.
    pub fn applications(&self) -> Result<Vec<(String, u64)>, Error> {
        let mut stmt = self.db.prepare(
            "SELECT payment_id, COUNT(*) FROM ledger_entries GROUP BY payment_id ORDER BY payment_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?.unsigned_abs())))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_id_is_applied_once() {
        let mut ledger = Ledger::in_memory().unwrap();
        let p = Payment {
            id: "p1".into(),
            account: "alice".into(),
            amount: 5,
        };
        assert_eq!(ledger.apply("m1", &p).unwrap(), Applied::Now);
        assert_eq!(ledger.apply("m1", &p).unwrap(), Applied::Before);
        assert_eq!(ledger.balance("alice").unwrap(), 5);
        assert_eq!(ledger.processed().unwrap(), 1);
        assert_eq!(ledger.applications().unwrap(), [("p1".to_string(), 1)]);
    }
}
