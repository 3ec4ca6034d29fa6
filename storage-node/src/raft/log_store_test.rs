//! openraft's storage conformance suite against [`RocksLogStore`] and [`StateMachine`].

use openraft::StorageError;
use openraft::testing::log::{StoreBuilder, Suite};
use openraft::type_config::TypeConfigExt;
use tempfile::TempDir;

use super::{RocksLogStore, open_db};
use crate::raft::TypeConfig;
use crate::raft::state_machine::StateMachine;

struct Builder;

fn io_err(e: std::io::Error) -> StorageError<TypeConfig> {
    StorageError::read(TypeConfig::err_from_error(&e))
}

impl StoreBuilder<TypeConfig, RocksLogStore, StateMachine, TempDir> for Builder {
    async fn build(
        &self,
    ) -> Result<(TempDir, RocksLogStore, StateMachine), StorageError<TypeConfig>> {
        let dir = TempDir::new().map_err(io_err)?;
        let db = open_db(&dir.path().join("raft")).map_err(io_err)?;
        let log = RocksLogStore::new(db).map_err(io_err)?;
        let sm = StateMachine::open(&dir.path().join("snapshots")).map_err(io_err)?;
        Ok((dir, log, sm))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openraft_storage_suite() {
    Suite::test_all(Builder).await.expect("storage suite");
}
