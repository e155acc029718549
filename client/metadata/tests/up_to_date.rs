//! The client's typed chain module is generated from `ehr.scale`: it must be the metadata of
//! the runtime as built.

#[test]
fn checked_in_metadata_matches_the_runtime() {
	let path = ehr_metadata::checked_in_path();
	let checked_in = std::fs::read(&path).expect("the checked-in metadata file");
	let current = ehr_metadata::current();
	assert!(current.starts_with(b"meta"), "metadata starts with its magic");
	assert!(
		checked_in == current,
		"{} is not the metadata of the runtime as built ({} bytes checked in, {} now): run \
		 scripts/metadata.sh, rebuild ehr-client and commit the file",
		path.display(),
		checked_in.len(),
		current.len()
	);
}
