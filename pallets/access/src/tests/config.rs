//! `integrity_test` refuses the configurations that would break a rule at run time.

use frame_support::traits::Hooks;

use crate::mock::*;

/// The panic message of the access pallet's `integrity_test` with the mock's configuration
/// changed by `set`, or `None` if it passes.
fn integrity_failure(set: impl FnOnce()) -> Option<String> {
	set();
	let outcome = std::panic::catch_unwind(<Access as Hooks<u64>>::integrity_test);
	outcome.err().map(|panic| match panic.downcast::<String>() {
		Ok(message) => *message,
		Err(panic) => panic.downcast::<&str>().map(|m| m.to_string()).unwrap_or_default(),
	})
}

#[test]
fn the_mock_configuration_passes() {
	assert_eq!(integrity_failure(|| {}), None);
}

#[test]
fn a_zero_request_lifetime_is_refused() {
	let said = integrity_failure(|| RequestLifetime::set(0)).expect("refused");
	assert!(said.contains("RequestLifetime must be positive"), "{said}");
}

#[test]
fn a_zero_review_deadline_is_refused() {
	let said = integrity_failure(|| EmergencyReviewDeadline::set(0)).expect("refused");
	assert!(said.contains("EmergencyReviewDeadline must be positive"), "{said}");
}

#[test]
fn fewer_share_places_than_custodians_are_refused() {
	// The consortium allows 5 custodians: 4 places would leave one custodian's share out.
	let said = integrity_failure(|| MaxShares::set(4)).expect("refused");
	assert!(said.contains("MaxShares must be at least the consortium's MaxCustodians"), "{said}");
	assert_eq!(integrity_failure(|| MaxShares::set(5)), None);
}

#[test]
fn content_type_bounds_that_differ_from_the_records_pallet_are_refused() {
	for len in [31, 33] {
		let said = integrity_failure(|| AccessContentTypeLen::set(len)).expect("refused");
		assert!(said.contains("MaxContentTypeLen must equal the records pallet's"), "{said}");
	}
}
