//! Benchmarks of the access pallet (frame-benchmarking v2), worst case for every call and
//! for `on_initialize`.

use super::*;
use crate::Pallet as Access;
use frame_benchmarking::v2::*;
use frame_support::traits::Hooks;
use frame_system::RawOrigin;
use pallet_consortium::{AccountKind, Roles};
use sp_runtime::traits::Zero;

const ORG: OrgId = 1;

/// Signs release batches in the benchmarks: the runtime's helper holds an sr25519 key in the
/// benchmark keystore, the mock's makes test signatures.
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A custodian account whose key [`Self::sign`] signs with.
	fn custodian() -> AccountId;
	/// `who`'s signature over `payload`.
	fn sign(who: &AccountId, payload: &[u8]) -> Signature;
}

/// Insert an active grant of `patient` directly (period: from now, `MaxGrantDuration`).
pub fn make_grant<T: Config>(
	patient: &T::AccountId,
	grantee: GranteeOf<T>,
	actions: Actions,
	delegable: bool,
) -> GrantId {
	let now = Access::<T>::now_ms();
	Access::<T>::insert_grant(Grant {
		id: 0,
		patient: patient.clone(),
		scope: Scope::AllRecords,
		grantee,
		purpose: Purpose::Treatment,
		actions,
		not_before: now,
		expires_at: now.saturating_add(T::MaxGrantDuration::get()),
		terms_hash: [1; 32],
		delegable,
		parent: None,
		status: GrantStatus::Active,
		granted_by: patient.clone(),
		created_at: now,
	})
	.unwrap_or_default()
}

fn longest_content_type<T: Config>() -> ContentTypeOf<T> {
	let len = usize::try_from(T::MaxContentTypeLen::get()).unwrap_or(0);
	let mut v = alloc::vec![b'a'; len];
	if let Some(first) = v.first_mut() {
		*first = b'O';
	}
	BoundedVec::truncate_from(v)
}

fn patient<T: Config>() -> T::AccountId {
	let p: T::AccountId = account("patient", 0, 0);
	T::Consortium::bench_add_org(ORG);
	T::Consortium::bench_register(&p, AccountKind::Patient);
	p
}

fn doctor<T: Config>(i: u32) -> T::AccountId {
	let d: T::AccountId = account("doctor", i, 0);
	T::Consortium::bench_register(&d, AccountKind::Staff);
	T::Consortium::bench_add_member(
		ORG,
		&d,
		Roles::from_roles(&[Role::Doctor, Role::Manager]),
		true,
	);
	d
}

/// A request by a role holder under a ContentType grant, with custody of `n` custodians.
fn setup_request<T: Config>(n: u32) -> Result<(RequestId, Vec<T::AccountId>), BenchmarkError> {
	let p = patient::<T>();
	let d = doctor::<T>(0);
	let ct = longest_content_type::<T>();
	let record = T::Records::bench_create_record(&p, &ct);
	let custodians: Vec<T::AccountId> = (0..n).map(|i| account("custodian", i, 0)).collect();
	let threshold = u16::try_from(n).map_err(|_| BenchmarkError::Weightless)?;
	T::Consortium::bench_set_custody(custodians.clone(), threshold);
	let g = make_grant::<T>(
		&p,
		Grantee::Role(ORG, Role::Doctor),
		Actions { read: true, append: true },
		false,
	);
	Access::<T>::request(RawOrigin::Signed(d).into(), record, g, [9; 32])
		.map_err(|_| BenchmarkError::Stop("request setup failed"))?;
	Ok((NextRequestId::<T>::get().saturating_sub(1), custodians))
}

/// `n` open requests under a role grant of a ContentType scope, with custody of `MaxShares`
/// custodians, the last of which is the helper's; each request already holds the shares of
/// the others but one, so each release reaches the threshold. Returns the batch to sign
/// (the longest shares) and the custodian index.
fn setup_batch<T: Config>(
	n: u32,
) -> Result<(Vec<(RequestId, ShareOf<T>)>, CustodianIndex), BenchmarkError> {
	let (first, mut custodians) = setup_request::<T>(T::MaxShares::get())?;
	let last = custodians.len().saturating_sub(1);
	if let Some(c) = custodians.last_mut() {
		*c = T::BenchmarkHelper::custodian();
	}
	let threshold = u16::try_from(last).map_err(|_| BenchmarkError::Weightless)?;
	T::Consortium::bench_set_custody(custodians, threshold.saturating_add(1));
	let index = CustodianIndex::try_from(last).map_err(|_| BenchmarkError::Weightless)?;
	let share: ShareOf<T> = BoundedVec::truncate_from(alloc::vec![
		7u8;
		usize::try_from(T::MaxShareLen::get()).unwrap_or(0)
	]);
	let template = Requests::<T>::get(first).ok_or(BenchmarkError::Weightless)?;
	let mut shares = BoundedVec::new();
	for i in 0..index {
		shares.try_push((i, share.clone())).map_err(|_| BenchmarkError::Weightless)?;
	}
	let mut batch = Vec::new();
	for id in (0..u64::from(n)).map(|i| first.saturating_add(i)) {
		Requests::<T>::insert(id, AccessRequest { id, shares: shares.clone(), ..template.clone() });
		batch.push((id, share.clone()));
	}
	Ok((batch, index))
}

/// What the custodian signs for `batch` (with each request's stored reply key).
fn signing_payload<T: Config>(index: CustodianIndex, batch: &[(RequestId, ShareOf<T>)]) -> Vec<u8> {
	let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
	let signed: Vec<_> = batch
		.iter()
		.map(|(r, s)| (*r, Requests::<T>::get(r).map(|q| q.reply_key).unwrap_or_default(), s))
		.collect();
	release_signing_payload(&genesis, index, &signed)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Worst case: a Record scope (record lookup) to a role (organisation lookup).
	#[benchmark]
	fn grant() -> Result<(), BenchmarkError> {
		let p = patient::<T>();
		let record = T::Records::bench_create_record(&p, b"Observation");
		let now = Access::<T>::now_ms();
		#[extrinsic_call]
		_(
			RawOrigin::Signed(p),
			Scope::Record(record),
			Grantee::Role(ORG, Role::Doctor),
			Purpose::Treatment,
			Actions { read: true, append: true },
			now,
			now.saturating_add(T::MaxGrantDuration::get()),
			[1; 32],
			true,
		);
		Ok(())
	}

	/// Worst case: `d` active delegations revoked in cascade.
	#[benchmark]
	fn revoke(d: Linear<0, { T::MaxDelegations::get() }>) -> Result<(), BenchmarkError> {
		let p = patient::<T>();
		let doc = doctor::<T>(0);
		let g = make_grant::<T>(
			&p,
			Grantee::Account(doc.clone()),
			Actions { read: true, append: false },
			true,
		);
		let expires = Access::<T>::now_ms().saturating_add(1_000);
		for i in 0..d {
			let to = doctor::<T>(i.saturating_add(1));
			Access::<T>::delegate(RawOrigin::Signed(doc.clone()).into(), g, to, expires)
				.map_err(|_| BenchmarkError::Stop("delegate setup failed"))?;
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(p), g);
		Ok(())
	}

	/// Worst case: the delegator holds the grant through a role; the parent already has
	/// `MaxDelegations - 1` delegations.
	#[benchmark]
	fn delegate() -> Result<(), BenchmarkError> {
		let p = patient::<T>();
		let doc = doctor::<T>(0);
		let g = make_grant::<T>(
			&p,
			Grantee::Role(ORG, Role::Doctor),
			Actions { read: true, append: true },
			true,
		);
		let expires = Access::<T>::now_ms().saturating_add(1_000);
		for i in 0..T::MaxDelegations::get().saturating_sub(1) {
			let to = doctor::<T>(i.saturating_add(1));
			Access::<T>::delegate(RawOrigin::Signed(doc.clone()).into(), g, to, expires)
				.map_err(|_| BenchmarkError::Stop("delegate setup failed"))?;
		}
		let to = doctor::<T>(1000);
		#[extrinsic_call]
		_(RawOrigin::Signed(doc), g, to, expires);
		Ok(())
	}

	/// Worst case: a role grant with a ContentType scope of the longest type; the expiry
	/// queue of the block and the requester's pending list are one short of full.
	#[benchmark]
	fn request() -> Result<(), BenchmarkError> {
		let p = patient::<T>();
		let d = doctor::<T>(0);
		let ct = longest_content_type::<T>();
		let record = T::Records::bench_create_record(&p, &ct);
		T::Consortium::bench_set_custody(alloc::vec![account("custodian", 0, 0)], 1);
		let now = Access::<T>::now_ms();
		let g = Access::<T>::insert_grant(Grant {
			id: 0,
			patient: p.clone(),
			scope: Scope::ContentType(ct),
			grantee: Grantee::Role(ORG, Role::Doctor),
			purpose: Purpose::Research,
			actions: Actions { read: true, append: false },
			not_before: now,
			expires_at: now.saturating_add(T::ReleaseMargin::get()).saturating_add(1_000),
			terms_hash: [1; 32],
			delegable: false,
			parent: None,
			status: GrantStatus::Active,
			granted_by: p.clone(),
			created_at: now,
		})
		.map_err(|_| BenchmarkError::Weightless)?;
		let at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::RequestLifetime::get());
		// The last place an ordinary request may take, and the requester's last pending place.
		let places = T::MaxRequestsPerBlock::get()
			.saturating_sub(T::EmergencyRequestReserve::get())
			.saturating_sub(1);
		let filler: Vec<RequestId> =
			(0..u64::from(places)).map(|i| i.saturating_add(1_000_000)).collect();
		let pending: Vec<RequestId> =
			(0..u64::from(T::MaxPendingRequests::get().saturating_sub(1)))
				.map(|i| i.saturating_add(2_000_000))
				.collect();
		PendingRequests::<T>::insert(&d, BoundedVec::truncate_from(pending));
		RequestExpiry::<T>::insert(at, BoundedVec::truncate_from(filler));
		#[extrinsic_call]
		_(RawOrigin::Signed(d), record, g, [9; 32]);
		Ok(())
	}

	/// Worst case: `n` releases in one batch, each the last share its request needs (so
	/// `KeyReleased` is emitted), with the longest shares.
	#[benchmark]
	fn release_shares(n: Linear<1, { T::MaxReleaseBatch::get() }>) -> Result<(), BenchmarkError> {
		let (batch, index) = setup_batch::<T>(n)?;
		let custodian = T::BenchmarkHelper::custodian();
		let signature = T::BenchmarkHelper::sign(&custodian, &signing_payload::<T>(index, &batch));
		let batch = BoundedVec::truncate_from(batch);
		#[extrinsic_call]
		_(RawOrigin::Authorized, index, batch, signature);
		Ok(())
	}

	/// The pool's check of a batch of `n` releases: signature and the authority of each.
	#[benchmark]
	fn authorize_release_shares(
		n: Linear<1, { T::MaxReleaseBatch::get() }>,
	) -> Result<(), BenchmarkError> {
		let (batch, index) = setup_batch::<T>(n)?;
		let custodian = T::BenchmarkHelper::custodian();
		let signature = T::BenchmarkHelper::sign(&custodian, &signing_payload::<T>(index, &batch));
		#[block]
		{
			Access::<T>::authorize_release(index, &batch, &signature)
				.map_err(|_| BenchmarkError::Stop("the batch is valid"))?;
		}
		Ok(())
	}

	/// Worst case: the review queue of the deadline block is one short of full.
	#[benchmark]
	fn emergency_open() {
		let p = patient::<T>();
		let d = doctor::<T>(0);
		let at = frame_system::Pallet::<T>::block_number()
			.saturating_add(T::EmergencyReviewDeadline::get());
		let filler: Vec<GrantId> =
			(0..u64::from(T::MaxEmergenciesPerBlock::get().saturating_sub(1)))
				.map(|i| i.saturating_add(1_000_000))
				.collect();
		ReviewQueue::<T>::insert(at, BoundedVec::truncate_from(filler));
		#[extrinsic_call]
		_(RawOrigin::Signed(d), ORG, p, EmergencyReason::Other, [1; 32]);
	}

	/// Worst case: a rejection, which also revokes the grant.
	#[benchmark]
	fn emergency_review() -> Result<(), BenchmarkError> {
		let p = patient::<T>();
		let opener = doctor::<T>(0);
		let reviewer = doctor::<T>(1);
		Access::<T>::emergency_open(
			RawOrigin::Signed(opener).into(),
			ORG,
			p,
			EmergencyReason::Other,
			[1; 32],
		)
		.map_err(|_| BenchmarkError::Stop("emergency setup failed"))?;
		let g = NextGrantId::<T>::get().saturating_sub(1);
		#[extrinsic_call]
		_(RawOrigin::Signed(reviewer), g, false, [2; 32]);
		Ok(())
	}

	/// `r` requests pruned and `e` unreviewed emergencies flagged in one block.
	#[benchmark]
	fn on_initialize(
		r: Linear<0, { T::MaxRequestsPerBlock::get() }>,
		e: Linear<0, { T::MaxEmergenciesPerBlock::get() }>,
	) -> Result<(), BenchmarkError> {
		let p = patient::<T>();
		let opener = doctor::<T>(0);
		let n = frame_system::Pallet::<T>::block_number().saturating_add(100u32.into());
		let (template, _) = setup_request::<T>(1)?;
		let template = Requests::<T>::get(template).ok_or(BenchmarkError::Weightless)?;
		let mut ids = Vec::new();
		for i in 0..u64::from(r) {
			let id = i.saturating_add(1_000);
			let mut req = template.clone();
			req.id = id;
			req.expires_at_block = n;
			Requests::<T>::insert(id, req);
			ids.push(id);
		}
		// The requester's pending list holds the pruned requests (as many as fit).
		PendingRequests::<T>::insert(&template.requester, BoundedVec::truncate_from(ids.clone()));
		RequestExpiry::<T>::insert(n, BoundedVec::truncate_from(ids));
		let mut due = Vec::new();
		for _ in 0..e {
			let g = make_grant::<T>(
				&p,
				Grantee::Account(opener.clone()),
				Actions { read: true, append: false },
				false,
			);
			Emergencies::<T>::insert(
				g,
				Emergency {
					opener: opener.clone(),
					org: ORG,
					patient: p.clone(),
					reason: EmergencyReason::Other,
					justification_hash: [1; 32],
					review_deadline: n,
					review: None,
				},
			);
			due.push(g);
		}
		ReviewQueue::<T>::insert(n, BoundedVec::truncate_from(due));
		#[block]
		{
			Access::<T>::on_initialize(n);
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Access, crate::mock::new_test_ext(), crate::mock::Test);
}
