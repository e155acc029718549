//! Rule family: custodians release one share each, through the pool, in signed batches; the
//! key is released at the threshold; a grant revoked or expired since the request gets no
//! more shares, and such a release is refused before it can reach a block.

use super::*;
use crate::{release_tag, Error, Event, Requests, RELEASE_PRIORITY};
use frame_support::{assert_noop, traits::Authorize};
use sp_runtime::transaction_validity::{
	InvalidTransaction, TransactionSource, TransactionValidityError,
};

fn setup() -> (RecordId, GrantId) {
	let r = record_of(PATIENT, b"Observation");
	let g = simple_grant(acct(DOCTOR), READ, false);
	assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [7; 32]));
	(r, g)
}

fn pool(e: InvalidTransaction) -> Result<(), Refused> {
	Err(Refused::Pool(TransactionValidityError::Invalid(e)))
}

fn shares_of(req: u64) -> Vec<u16> {
	Requests::<Test>::get(req).unwrap().shares.iter().map(|(i, _)| *i).collect()
}

#[test]
fn custodians_release_shares_up_to_the_threshold() {
	new_test_ext().execute_with(|| {
		let (r, g) = setup();
		assert_eq!(Access::open_requests_for_custodian(0, None, 10).len(), 1);
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		assert_eq!(
			last_event(),
			Event::KeyShareReleased {
				request: 0,
				custodian_index: 0,
				custodian: CUSTODIAN,
				grant: g,
				record: r,
				at: T0
			}
		);
		assert!(Access::open_requests_for_custodian(0, None, 10).is_empty());
		assert_eq!(Access::open_requests_for_custodian(1, None, 10).len(), 1);
		assert_eq!(release(CUSTODIAN_1, 0, 1), Ok(()));
		assert_eq!(
			last_event(),
			Event::KeyReleased { request: 0, requester: DOCTOR, grant: g, record: r, at: T0 }
		);
		assert_eq!(shares_of(0), vec![0, 1]);
		assert!(Access::open_requests_for_custodian(1, None, 10).is_empty());
		assert_ok!(Access::do_try_state());
	});
}

#[test]
fn each_custodian_releases_once_and_only_for_its_index() {
	new_test_ext().execute_with(|| {
		setup();
		// Signed by another account than the custodian of the index: a custodian cannot
		// release under another's index, a doctor cannot release at all.
		assert_eq!(release(CUSTODIAN, 0, 1), pool(InvalidTransaction::BadProof));
		assert_eq!(release(DOCTOR, 0, 0), pool(InvalidTransaction::BadProof));
		assert_eq!(release(CUSTODIAN, 0, 7), pool(InvalidTransaction::BadSigner));
		assert_eq!(release(CUSTODIAN, 9, 0), stale());
		let empty = release_call(CUSTODIAN, 0, vec![(0, BoundedVec::new())]);
		assert_eq!(submit_authorized(empty), refused(Error::<Test>::EmptyShare));
		assert!(shares_of(0).is_empty());
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		// Replaying the release, or a second one for the same request, is stale.
		assert_eq!(release(CUSTODIAN, 0, 0), stale());
		assert_eq!(shares_of(0), vec![0]);
	});
}

#[test]
fn a_signature_covers_its_index_batch_and_chain() {
	new_test_ext().execute_with(|| {
		setup();
		let (r, g) = (record_of(PATIENT, b"Observation"), simple_grant(acct(DOCTOR), READ, false));
		assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [7; 32]));
		let RuntimeCall::Access(crate::Call::release_shares { signature, .. }) =
			release_call(CUSTODIAN, 0, vec![(0, share())])
		else {
			unreachable!()
		};
		// The signature over request 0's batch does not carry request 1's.
		let moved = RuntimeCall::Access(crate::Call::release_shares {
			custodian_index: 0,
			releases: BoundedVec::try_from(vec![(1, share())]).unwrap(),
			signature: signature.clone(),
		});
		assert_eq!(submit_authorized(moved), pool(InvalidTransaction::BadProof));
		// Another chain's release (another genesis hash) does not verify here.
		let payload = crate::release_signing_payload(&[1u8; 32], 0, &[(0u64, [7u8; 32], share())]);
		let foreign = RuntimeCall::Access(crate::Call::release_shares {
			custodian_index: 0,
			releases: BoundedVec::try_from(vec![(0, share())]).unwrap(),
			signature: sp_runtime::testing::TestSignature(CUSTODIAN, payload),
		});
		assert_eq!(submit_authorized(foreign), pool(InvalidTransaction::BadProof));
		// A signature made for another reply key (a request of the same id on a fork).
		let genesis = frame_system::Pallet::<Test>::block_hash(0);
		let payload = crate::release_signing_payload(&genesis, 0, &[(0u64, [8u8; 32], share())]);
		let forked = RuntimeCall::Access(crate::Call::release_shares {
			custodian_index: 0,
			releases: BoundedVec::try_from(vec![(0, share())]).unwrap(),
			signature: sp_runtime::testing::TestSignature(CUSTODIAN, payload),
		});
		assert_eq!(submit_authorized(forked), pool(InvalidTransaction::BadProof));
		assert!(shares_of(0).is_empty() && shares_of(1).is_empty());
	});
}

#[test]
fn a_batch_is_valid_only_as_a_whole_and_claims_one_tag_per_release() {
	new_test_ext().execute_with(|| {
		setup();
		let r = record_of(PATIENT, b"Observation");
		let revocable = simple_grant(acct(DOCTOR), READ, false);
		assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, revocable, [8; 32]));
		let both = || release_call(CUSTODIAN, 0, vec![(0, share()), (1, share())]);
		let (valid, unspent) = both().authorize(TransactionSource::External).unwrap().unwrap();
		assert_eq!(valid.provides, vec![release_tag(0, 0), release_tag(1, 0)]);
		// The authorization weight of the two releases the batch lacks (of 4) is refunded.
		use crate::WeightInfo;
		let weight = <() as WeightInfo>::authorize_release_shares;
		assert_eq!(unspent, weight(4) - weight(2));
		assert!(unspent.ref_time() > 0);
		assert_eq!(valid.priority, RELEASE_PRIORITY);
		// Requests live `RequestLifetime` (10) blocks from block 1.
		assert_eq!(valid.longevity, 10);
		assert!(valid.requires.is_empty() && valid.propagate);
		// One release in the batch that is no longer authorized refuses the whole batch.
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), revocable));
		assert_eq!(submit_authorized(both()), refused(Error::<Test>::GrantRevoked));
		assert!(shares_of(0).is_empty() && shares_of(1).is_empty());
		let twice = release_call(CUSTODIAN, 0, vec![(0, share()), (0, share())]);
		assert_eq!(submit_authorized(twice), refused(Error::<Test>::DuplicateRelease));
		assert_eq!(
			submit_authorized(release_call(CUSTODIAN, 0, vec![])),
			refused(Error::<Test>::EmptyBatch)
		);
		assert_eq!(release(CUSTODIAN, 0, 0), Ok(()));
		assert_eq!(shares_of(0), vec![0]);
	});
}

#[test]
fn a_batch_releases_every_request_it_names() {
	new_test_ext().execute_with(|| {
		let (r, g) = setup();
		assert_ok!(Access::request(RuntimeOrigin::signed(DOCTOR), r, g, [8; 32]));
		let batch = release_call(CUSTODIAN_1, 1, vec![(0, share()), (1, share())]);
		assert_eq!(submit_authorized(batch), Ok(()));
		assert_eq!(shares_of(0), vec![1]);
		assert_eq!(shares_of(1), vec![1]);
		let released: Vec<u64> = System::events()
			.into_iter()
			.filter_map(|e| match e.event {
				RuntimeEvent::Access(Event::KeyShareReleased {
					request,
					custodian_index: 1,
					custodian: CUSTODIAN_1,
					..
				}) => Some(request),
				_ => None,
			})
			.collect();
		assert_eq!(released, vec![0, 1]);
	});
}

#[test]
fn only_the_authorized_origin_dispatches_a_release() {
	new_test_ext().execute_with(|| {
		setup();
		let call = release_call(CUSTODIAN, 0, vec![(0, share())]);
		for origin in
			[RuntimeOrigin::signed(CUSTODIAN), RuntimeOrigin::none(), RuntimeOrigin::root()]
		{
			assert_noop!(
				frame_support::traits::UnfilteredDispatchable::dispatch_bypass_filter(
					call.clone(),
					origin
				)
				.map_err(|e| e.error),
				sp_runtime::DispatchError::BadOrigin
			);
		}
		// The dispatch checks each release again (should `authorize` ever be skipped).
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), 0));
		assert_noop!(
			frame_support::traits::UnfilteredDispatchable::dispatch_bypass_filter(
				call,
				frame_system::RawOrigin::Authorized.into()
			)
			.map_err(|e| e.error),
			Error::<Test>::GrantRevoked
		);
	});
}

#[test]
fn revocation_and_expiry_stop_pending_releases() {
	new_test_ext().execute_with(|| {
		let (_, g) = setup();
		assert_ok!(Access::revoke(RuntimeOrigin::signed(PATIENT), g));
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::GrantRevoked));
		assert!(shares_of(0).is_empty());
	});
	new_test_ext().execute_with(|| {
		setup();
		set_time(T0 + DAY);
		assert_eq!(release(CUSTODIAN, 0, 0), refused(Error::<Test>::GrantExpired));
		assert!(shares_of(0).is_empty());
	});
}

#[test]
fn pruned_requests_get_no_shares() {
	new_test_ext().execute_with(|| {
		setup();
		run_to_block(11);
		assert_eq!(release(CUSTODIAN, 0, 0), stale());
		assert!(Requests::<Test>::get(0).is_none());
	});
}
