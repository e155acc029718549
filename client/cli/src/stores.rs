//! The payload stores a command uses: `--store` (or `EHR_STORE`), one or more of a directory
//! (the embedded store) or a Kubo RPC address (`kubo:127.0.0.1:5001`), comma-separated, each
//! optionally named `NAME=LOCATION` (e.g. `hospital-a=kubo:10.0.0.5:5001`). The first one
//! receives an upload and every other one gets a copy; a read takes the first copy that
//! matches the on-chain hash and repairs the others. A tamper report on chain names the store
//! by its NAME, by default the directory's last component or the Kubo address (never a local
//! path).

use anyhow::{anyhow, bail, Context, Result};
use ehr_client::store::{
	embedded::EmbeddedStore,
	kubo::{KuboConfig, KuboStore},
	replicas::{self, Replica},
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
		for given in names {
			// NAME=LOCATION only when NAME is a plain word (a path may hold `=`).
			let named = given.split_once('=').filter(|(name, location)| {
				!location.is_empty() && !name.contains(['/', '\\', ':'])
			});
			let (name, location) = match named {
				Some((name, location)) => (name.to_owned(), location),
				None => (default_name(given), given.as_str()),
			};
			if stores.iter().any(|(other, _)| *other == name) {
				bail!("two stores are named `{name}`: name them NAME=LOCATION");
			}
			if name.is_empty() || name.len() > 128 {
				bail!("the store name `{name}` must be 1 to 128 bytes: write NAME=LOCATION");
			}
			let store: Box<dyn PayloadStore> = match location.strip_prefix("kubo:") {
				Some(address) => Box::new(KuboStore::new(KuboConfig {
					address: address.to_owned(),
					..KuboConfig::default()
				})?),
				None => Box::new(
					EmbeddedStore::open(location)
						.with_context(|| format!("cannot open the store directory {location}"))?,
				),
			};
			stores.push((name, store));
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
			let stored = replicas::copy(self.first(), store.as_ref(), cid)
				.await
				.with_context(|| format!("cannot copy {cid} to {name}"))?;
			if stored != *cid {
				return Err(anyhow!("{name} stored {cid} under another CID ({stored}): its chunking differs; use a store with the default settings"));
			}
		}
		Ok(())
	}
}

/// A store's name when none is given: a directory's last component, or the Kubo address.
fn default_name(location: &str) -> String {
	if location.starts_with("kubo:") {
		return location.to_owned();
	}
	std::path::Path::new(location)
		.file_name()
		.map_or_else(|| location.to_owned(), |n| n.to_string_lossy().into_owned())
}
