//! The payload stores a command uses: `--store` (or `EHR_STORE`), one or more of a directory
//! (the embedded store) or a Kubo RPC address (`kubo:127.0.0.1:5001`), comma-separated. The
//! first one receives an upload and every other one gets a copy; a read takes the first copy
//! that matches the on-chain hash and repairs the others. Each store is known on chain (in a
//! tamper report) by the text that names it.

use anyhow::{anyhow, bail, Context, Result};
use ehr_client::store::{
	embedded::EmbeddedStore,
	kubo::{KuboConfig, KuboStore},
	replicas::Replica,
	Cid, PayloadStore,
};

/// The opened stores, in the order given.
pub struct Stores {
	stores: Vec<(String, Box<dyn PayloadStore>)>,
}

impl Stores {
	/// Opens each store `names` lists.
	pub fn open(names: &[String]) -> Result<Stores> {
		if names.is_empty() {
			bail!("no payload store: pass --store DIR (or kubo:HOST:PORT), or set EHR_STORE");
		}
		let mut stores: Vec<(String, Box<dyn PayloadStore>)> = Vec::new();
		for name in names {
			if name.len() > 128 {
				bail!("the store name `{name}` is longer than 128 bytes: use a shorter path");
			}
			let store: Box<dyn PayloadStore> = match name.strip_prefix("kubo:") {
				Some(address) => Box::new(KuboStore::new(KuboConfig {
					address: address.to_owned(),
					..KuboConfig::default()
				})?),
				None => Box::new(
					EmbeddedStore::open(name)
						.with_context(|| format!("cannot open the store directory {name}"))?,
				),
			};
			stores.push((name.clone(), store));
		}
		Ok(Stores { stores })
	}

	/// The store that receives uploads.
	pub fn first(&self) -> &dyn PayloadStore {
		self.stores[0].1.as_ref()
	}

	/// Every store, named, for a read.
	pub fn replicas(&self) -> Vec<Replica<'_>> {
		self.stores.iter().map(|(name, store)| (name.as_str(), store.as_ref())).collect()
	}

	/// Copies `cid` from the first store to every other one, streaming.
	pub async fn replicate(&self, cid: &Cid) -> Result<()> {
		for (name, store) in &self.stores[1..] {
			let (mut writer, mut reader) = tokio::io::duplex(1 << 20);
			let source = async {
				let copied = self.first().get(cid, &mut writer).await;
				drop(writer);
				copied
			};
			let (read, stored) = tokio::join!(source, store.put(&mut reader));
			read.with_context(|| format!("cannot read {cid} back from {}", self.stores[0].0))?;
			let stored = stored.with_context(|| format!("cannot copy {cid} to {name}"))?;
			if stored != *cid {
				return Err(anyhow!("{name} stored {cid} under another CID ({stored}): its chunking differs; use a store with the default settings"));
			}
		}
		Ok(())
	}
}
