//! # Access pallet
//!
//! Grants are the virtual contracts of the health-record chain: a patient gives a person or a
//! role access to some of its records, for a purpose and a confidentiality period. A grantee
//! reads by submitting an **access request**; the consortium's key custodians see it and each
//! releases an encrypted key share; with `threshold` shares the requester recovers the data
//! key. Delegation, revocation (with cascade), emergency (break-glass) access and its review
//! complete the picture.
//!
//! Time: every period is in chain time (milliseconds, `Config::Time`, i.e. `pallet_timestamp`).
//! Expiry is a property of time, not of a cleanup job: every check compares with the current
//! timestamp. Only requests and review deadlines, which need housekeeping, use block numbers.
//!
//! Every call is feeless (`Pays::No`); the consortium's `CheckRegistered` extension limits
//! the rate.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(
	test,
	allow(
		clippy::unwrap_used,
		clippy::expect_used,
		clippy::panic,
		clippy::indexing_slicing,
		clippy::arithmetic_side_effects
	)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
mod release;
mod rules;
pub mod runtime_api;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use release::{
	refusal, release_signing_payload, release_tag, RELEASE_PRIORITY, RELEASE_SIGNING_DOMAIN,
};
pub use types::*;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::BlockNumberFor;
use pallet_consortium::{CustodianIndex, Membership, OrgId, Role};
use pallet_records::{AppendPermission, RecordProvider};
use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	SaturatedConversion, Saturating,
};

// The code FRAME's macros generate for storage, errors and metadata calls `expect` (on
// values that are statically known); this module's own code never does (checked by grep in
// review), and every other lint of the crate-level list stays denied here.
// `too_many_arguments`: the generated call constructors take every extrinsic parameter.
#[allow(clippy::expect_used, clippy::too_many_arguments)]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::dispatch::DispatchClass;
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The access pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the access pallet.
	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The consortium: registered accounts, roles, custody configuration.
		type Consortium: Membership<Self::AccountId>;

		/// The record registry (`pallet_records::Pallet<Runtime>`).
		type Records: RecordProvider<Self::AccountId>;

		/// Chain time (`pallet_timestamp::Pallet<Runtime>`; milliseconds).
		type Time: Time;

		/// The longest FHIR resource type name in a scope, in bytes (use the records pallet's
		/// value).
		#[pallet::constant]
		type MaxContentTypeLen: Get<u32>;

		/// The longest period of a grant, in milliseconds.
		#[pallet::constant]
		type MaxGrantDuration: Get<u64>;

		/// The longest emergency access, in milliseconds.
		#[pallet::constant]
		type MaxEmergencyDuration: Get<u64>;

		/// Blocks after opening by which an emergency access must be reviewed; then
		/// `EmergencyReviewOverdue` is emitted.
		#[pallet::constant]
		type EmergencyReviewDeadline: Get<BlockNumberFor<Self>>;

		/// Blocks an access request is kept (for the custodians) before it is pruned.
		#[pallet::constant]
		type RequestLifetime: Get<BlockNumberFor<Self>>;

		/// Milliseconds a grant must stay valid beyond the current block's time for a request
		/// to be made and a share to be released under it (see [`Pallet::check_release_margin`]):
		/// a share that a custodian emits is then still valid when a later block includes it,
		/// so it is on chain and not only in the pool's gossip.
		#[pallet::constant]
		type ReleaseMargin: Get<u64>;

		/// The most access requests made in one block (bounds the pruning work per block).
		#[pallet::constant]
		type MaxRequestsPerBlock: Get<u32>;

		/// Of `MaxRequestsPerBlock`, the places in every block that only requests under an
		/// emergency grant may take: ordinary requests cannot crowd out a break-glass read.
		#[pallet::constant]
		type EmergencyRequestReserve: Get<u32>;

		/// The most requests one account may have waiting for their key: a request counts
		/// from when it is made until its key is released (the threshold of shares) or it is
		/// pruned. Bounds what one account can put in the custodians' queue.
		#[pallet::constant]
		type MaxPendingRequests: Get<u32>;

		/// The most emergency accesses opened in one block (bounds the overdue check per
		/// block).
		#[pallet::constant]
		type MaxEmergenciesPerBlock: Get<u32>;

		/// The most delegations of one grant (bounds the revocation cascade).
		#[pallet::constant]
		type MaxDelegations: Get<u32>;

		/// The most key shares kept per request (at least the consortium's `MaxCustodians`).
		#[pallet::constant]
		type MaxShares: Get<u32>;

		/// The longest encrypted key share (with its proof), in bytes.
		#[pallet::constant]
		type MaxShareLen: Get<u32>;

		/// The most releases in one `release_shares` call.
		#[pallet::constant]
		type MaxReleaseBatch: Get<u32>;

		/// The signature a custodian puts on a batch of releases; it verifies against the
		/// custodian's account (`MultiSignature` in the runtime: sr25519 or ed25519).
		type CustodianSignature: Parameter
			+ Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>;

		/// Signs releases in the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::benchmarking::BenchmarkHelper<
			Self::AccountId,
			Self::CustodianSignature,
		>;

		/// Weights of the calls.
		type WeightInfo: WeightInfo;
	}

	/// The id the next grant gets.
	#[pallet::storage]
	pub type NextGrantId<T> = StorageValue<_, GrantId, ValueQuery>;

	/// Every grant by id (revoked and expired ones stay: they are the contract history).
	#[pallet::storage]
	pub type Grants<T: Config> = StorageMap<_, Twox64Concat, GrantId, Grant<T>>;

	/// Index: `(patient, grant) -> ()`.
	#[pallet::storage]
	pub type PatientGrants<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, GrantId, ()>;

	/// Index: `(grantee, grant) -> ()`.
	#[pallet::storage]
	pub type GranteeGrants<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, GranteeOf<T>, Twox64Concat, GrantId, ()>;

	/// The delegations of a grant (at most `MaxDelegations`).
	#[pallet::storage]
	pub type Delegations<T: Config> =
		StorageMap<_, Twox64Concat, GrantId, BoundedVec<GrantId, T::MaxDelegations>, ValueQuery>;

	/// The id the next access request gets.
	#[pallet::storage]
	pub type NextRequestId<T> = StorageValue<_, RequestId, ValueQuery>;

	/// Open access requests (pruned `RequestLifetime` blocks after they were made).
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, RequestId, AccessRequest<T>>;

	/// Pruning queue: `block -> requests to prune at its start`.
	#[pallet::storage]
	pub type RequestExpiry<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<RequestId, T::MaxRequestsPerBlock>,
		ValueQuery,
	>;

	/// The requests of each account still waiting for their key (at most
	/// `MaxPendingRequests`), by id: a request leaves the list when the threshold of shares
	/// is released (the other custodians still answer it) or when it is pruned. Counting
	/// until every custodian answered would let one custodian that is down hold every
	/// requester to `MaxPendingRequests` reads per `RequestLifetime`.
	#[pallet::storage]
	pub type PendingRequests<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<RequestId, T::MaxPendingRequests>,
		ValueQuery,
	>;

	/// Emergency accesses by grant id.
	#[pallet::storage]
	pub type Emergencies<T: Config> = StorageMap<_, Twox64Concat, GrantId, Emergency<T>>;

	/// Review deadline queue: `block -> emergency grants whose review is due then`.
	#[pallet::storage]
	pub type ReviewQueue<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		BoundedVec<GrantId, T::MaxEmergenciesPerBlock>,
		ValueQuery,
	>;

	/// Events of the access pallet: each names who, what, when (`at`: chain time in ms) and
	/// the grant involved. They are the audit log.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A patient granted access.
		GrantCreated {
			/// The new grant.
			grant: GrantId,
			/// The patient.
			patient: T::AccountId,
			/// For whom.
			grantee: GranteeOf<T>,
			/// Which records.
			scope: ScopeOf<T>,
			/// Why.
			purpose: Purpose,
			/// What.
			actions: Actions,
			/// Period start (ms).
			not_before: u64,
			/// Period end (ms).
			expires_at: u64,
			/// Chain time, ms.
			at: u64,
		},
		/// A grantee delegated a grant.
		GrantDelegated {
			/// The new delegation.
			grant: GrantId,
			/// The delegated grant.
			parent: GrantId,
			/// The delegator.
			by: T::AccountId,
			/// The new grantee.
			grantee: T::AccountId,
			/// Period end (ms).
			expires_at: u64,
			/// Chain time, ms.
			at: u64,
		},
		/// A grant was revoked.
		GrantRevoked {
			/// The grant.
			grant: GrantId,
			/// Who revoked it (for a cascade: who revoked the parent).
			by: T::AccountId,
			/// The revoked parent, if this is a cascade.
			cascade_from: Option<GrantId>,
			/// Chain time, ms.
			at: u64,
		},
		/// A grantee requested the data key of a record.
		AccessRequested {
			/// The request.
			request: RequestId,
			/// Who.
			requester: T::AccountId,
			/// Which record.
			record: RecordId,
			/// Under which grant.
			grant: GrantId,
			/// The patient.
			patient: T::AccountId,
			/// Chain time, ms.
			at: u64,
		},
		/// A custodian released its key share for a request.
		KeyShareReleased {
			/// The request.
			request: RequestId,
			/// The custodian index.
			custodian_index: CustodianIndex,
			/// The custodian account.
			custodian: T::AccountId,
			/// The grant of the request.
			grant: GrantId,
			/// The record of the request.
			record: RecordId,
			/// Chain time, ms.
			at: u64,
		},
		/// The threshold number of shares was released for the request. The chain cannot check
		/// a sealed share, so this says that `threshold` custodians answered, not that the key
		/// opens: the requester's client verifies each share (and names a custodian whose share
		/// is wrong); the other custodians still answer.
		KeyReleased {
			/// The request.
			request: RequestId,
			/// Who can now decrypt.
			requester: T::AccountId,
			/// The grant.
			grant: GrantId,
			/// The record.
			record: RecordId,
			/// Chain time, ms.
			at: u64,
		},
		/// Requests were pruned at the start of a block (their events stay).
		RequestsPruned {
			/// How many.
			count: u32,
			/// Chain time, ms.
			at: u64,
		},
		/// Alarm: emergency (break-glass) access was opened.
		EmergencyAccessOpened {
			/// The emergency grant.
			grant: GrantId,
			/// Who opened it.
			opener: T::AccountId,
			/// Under which organisation's authority.
			org: OrgId,
			/// Whose records.
			patient: T::AccountId,
			/// Why.
			reason: EmergencyReason,
			/// Hash of the justification.
			justification_hash: [u8; 32],
			/// End of the access (ms).
			expires_at: u64,
			/// Block by which it must be reviewed.
			review_deadline: BlockNumberFor<T>,
			/// Chain time, ms.
			at: u64,
		},
		/// An emergency access was reviewed.
		EmergencyReviewed {
			/// The emergency grant.
			grant: GrantId,
			/// The reviewer.
			reviewer: T::AccountId,
			/// Whether it was justified (if not, the grant was revoked).
			approved: bool,
			/// Hash of the review note.
			note_hash: [u8; 32],
			/// Chain time, ms.
			at: u64,
		},
		/// Alarm: an emergency access was not reviewed by its deadline.
		EmergencyReviewOverdue {
			/// The emergency grant.
			grant: GrantId,
			/// Who opened it.
			opener: T::AccountId,
			/// The organisation that must review it.
			org: OrgId,
			/// Whose records.
			patient: T::AccountId,
			/// Chain time, ms.
			at: u64,
		},
	}

	/// Errors of the access pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// Only registered patients grant access to their records. Use a patient account.
		NotPatient,
		/// The period is empty (`expires_at <= not_before`). Give an end after the start.
		EmptyPeriod,
		/// The period is already over (`expires_at <= now`). Give an end in the future.
		PeriodInPast,
		/// The period is longer than `MaxGrantDuration`. Grant a shorter period and renew it.
		PeriodTooLong,
		/// The grant allows neither read nor append. Allow at least one.
		NoActions,
		/// The grantee is neither a registered account nor an active organisation. Check it.
		UnknownGrantee,
		/// Emergency grants are opened with `emergency_open`, not granted. Use another purpose.
		EmergencyPurpose,
		/// The scope names an empty content type. Name a FHIR resource type.
		EmptyContentType,
		/// The scope names a record of another patient. Grant only your own records.
		NotRecordOwner,
		/// Grant ids are exhausted.
		GrantIdOverflow,
		/// Request ids are exhausted.
		RequestIdOverflow,
		/// No grant with this id. Check the id.
		UnknownGrant,
		/// No record with this id. Check the id.
		UnknownRecord,
		/// The caller is not the grantee and does not hold the grantee role. Ask the patient
		/// for a grant.
		NotGrantee,
		/// The grant was revoked. Ask the patient for a new grant.
		GrantRevoked,
		/// The grant's period has not started yet. Wait until `not_before`.
		GrantNotYetValid,
		/// The grant's period is over. Ask the patient to renew it.
		GrantExpired,
		/// The grant does not cover this record (another patient, record or content type).
		/// Use a grant whose scope covers it.
		RecordNotCovered,
		/// The grant does not allow reading. Ask for a grant with read access.
		ReadNotAllowed,
		/// The grant does not allow appending records. Ask for a grant with append access.
		AppendNotAllowed,
		/// Only the patient (or, for a delegation, the delegator) revokes a grant.
		NotGrantor,
		/// The grant is already revoked. Nothing to do.
		AlreadyRevoked,
		/// The grant may not be delegated (not delegable, a delegation, or an emergency grant).
		NotDelegable,
		/// A delegation cannot outlive its parent grant. End it no later than the parent.
		DelegationOutlivesParent,
		/// The grant already has `MaxDelegations` delegations. Revoke one first.
		TooManyDelegations,
		/// The reply key is all zeros. Make a fresh X25519 key for the request and send its
		/// public half.
		BadReplyKey,
		/// No custody configuration is set, so no key can be released. Governance must set it.
		NoCustody,
		/// This block holds as many requests as it may (`MaxRequestsPerBlock`, of which
		/// `EmergencyRequestReserve` places are kept for emergency grants). Retry next block.
		TooManyRequests,
		/// No open request with this id (unknown or pruned). Check the id or request again.
		UnknownRequest,
		/// The caller is not the account of this custodian index. Use the custodian's account.
		NotCustodian,
		/// This custodian already released its share for this request.
		ShareAlreadyReleased,
		/// The share is empty. Send the encrypted share with its proof.
		EmptyShare,
		/// The request already holds `MaxShares` shares.
		TooManyShares,
		/// The caller is not a member with the emergency flag of this active organisation.
		NotEmergencyMember,
		/// The patient is not a registered patient. Check the account.
		UnknownPatient,
		/// `MaxEmergenciesPerBlock` emergencies were already opened in this block. Retry next
		/// block.
		TooManyEmergencies,
		/// The grant is not an emergency grant. Check the id.
		NotEmergencyGrant,
		/// Only a manager or an auditor of the opener's organisation reviews an emergency.
		NotReviewer,
		/// The opener cannot review its own emergency access. Ask another manager or auditor.
		SelfReview,
		/// The emergency access was already reviewed.
		AlreadyReviewed,
		/// The grant this delegation was made under was revoked. Ask the patient for a grant.
		ParentRevoked,
		/// The period of the grant this delegation was made under is over. Ask the patient to
		/// renew it.
		ParentExpired,
		/// The delegator no longer holds the grant it delegated (e.g. it left the role). Ask
		/// the patient for a grant of your own.
		DelegatorLostStanding,
		/// The opener of this emergency access no longer has the emergency flag in an active
		/// organisation. Open a new emergency access if you are entitled to.
		EmergencyStandingLost,
		/// A patient does not grant access to himself: the patient capsule already gives him
		/// his own records. Grant someone else.
		SelfGrant,
		/// A grantee does not delegate a grant to itself. Delegate to another account.
		SelfDelegation,
		/// A release batch is empty. Send at least one release.
		EmptyBatch,
		/// A release batch names a request twice. Send one release per request.
		DuplicateRelease,
		/// You already have `MaxPendingRequests` requests waiting for their key. Wait until
		/// the custodians answer them or they expire (`RequestLifetime` blocks).
		TooManyPendingRequests,
		/// The account using the grant is frozen or deregistered: no grant to it works until
		/// a manager of its organisation, or governance, re-activates it.
		AccountInactive,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Prune the requests that expire now, and flag the emergency accesses whose review
		/// is overdue. Bounded: at most `MaxRequestsPerBlock` + `MaxEmergenciesPerBlock` items.
		fn on_initialize(n: BlockNumberFor<T>) -> Weight {
			let expired = RequestExpiry::<T>::take(n);
			let due = ReviewQueue::<T>::take(n);
			let at = Self::now_ms();
			let pruned = u32::try_from(expired.len()).unwrap_or(u32::MAX);
			for id in expired.iter() {
				if let Some(r) = Requests::<T>::take(id) {
					Self::settle(&r.requester, *id);
				}
			}
			if pruned > 0 {
				Self::deposit_event(Event::RequestsPruned { count: pruned, at });
			}
			let checked = u32::try_from(due.len()).unwrap_or(u32::MAX);
			for grant in due {
				if let Some(e) = Emergencies::<T>::get(grant) {
					if e.review.is_none() {
						Self::deposit_event(Event::EmergencyReviewOverdue {
							grant,
							opener: e.opener,
							org: e.org,
							patient: e.patient,
							at,
						});
					}
				}
			}
			T::WeightInfo::on_initialize(pruned, checked)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			assert!(T::MaxRequestsPerBlock::get() > 0, "MaxRequestsPerBlock must be positive");
			assert!(
				T::MaxEmergenciesPerBlock::get() > 0,
				"MaxEmergenciesPerBlock must be positive"
			);
			assert!(T::MaxShares::get() > 0, "MaxShares must be positive");
			assert!(
				T::EmergencyRequestReserve::get() < T::MaxRequestsPerBlock::get(),
				"EmergencyRequestReserve must leave places for ordinary requests"
			);
			assert!(T::MaxPendingRequests::get() > 0, "MaxPendingRequests must be positive");
			assert!(
				T::ReleaseMargin::get() < T::MaxEmergencyDuration::get(),
				"ReleaseMargin must be shorter than an emergency grant"
			);
			let zero = BlockNumberFor::<T>::from(0u32);
			// A request pruned in the block it was made could never be answered.
			assert!(T::RequestLifetime::get() > zero, "RequestLifetime must be positive");
			// With no time to review, every emergency would be overdue as it opens.
			assert!(
				T::EmergencyReviewDeadline::get() > zero,
				"EmergencyReviewDeadline must be positive"
			);
			// Every custodian of the largest configuration must be able to post its share.
			assert!(
				T::MaxShares::get() >= T::Consortium::max_custodians(),
				"MaxShares must be at least the consortium's MaxCustodians"
			);
			// A content-type grant must be able to name every content type a record may have,
			// and no longer one.
			assert_eq!(
				T::MaxContentTypeLen::get(),
				T::Records::max_content_type_len(),
				"MaxContentTypeLen must equal the records pallet's"
			);
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Grant access to the caller's records: create a virtual contract.
		///
		/// - Origin: a registered patient (signed).
		/// - Changes: inserts an active [`Grant`] and indexes it by patient and grantee.
		/// - Events: [`Event::GrantCreated`].
		/// - Errors: [`Error::NotPatient`], [`Error::SelfGrant`], [`Error::EmergencyPurpose`],
		///   [`Error::NoActions`],
		///   [`Error::EmptyPeriod`], [`Error::PeriodInPast`], [`Error::PeriodTooLong`],
		///   [`Error::UnknownGrantee`], [`Error::EmptyContentType`], [`Error::UnknownRecord`],
		///   [`Error::NotRecordOwner`], [`Error::GrantIdOverflow`]; `BadOrigin`.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::grant(), DispatchClass::Normal, Pays::No))]
		#[allow(clippy::too_many_arguments)] // extrinsic parameters, documented above
		pub fn grant(
			origin: OriginFor<T>,
			scope: ScopeOf<T>,
			grantee: GranteeOf<T>,
			purpose: Purpose,
			actions: Actions,
			not_before: u64,
			expires_at: u64,
			terms_hash: [u8; 32],
			delegable: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Consortium::is_patient(&who), Error::<T>::NotPatient);
			ensure!(grantee != Grantee::Account(who.clone()), Error::<T>::SelfGrant);
			ensure!(purpose != Purpose::Emergency, Error::<T>::EmergencyPurpose);
			ensure!(actions.read || actions.append, Error::<T>::NoActions);
			let now = Self::now_ms();
			ensure!(expires_at > not_before, Error::<T>::EmptyPeriod);
			ensure!(expires_at > now, Error::<T>::PeriodInPast);
			ensure!(
				expires_at.saturating_sub(not_before.max(now)) <= T::MaxGrantDuration::get(),
				Error::<T>::PeriodTooLong
			);
			let grantee_exists = match &grantee {
				Grantee::Account(a) => T::Consortium::is_registered(a),
				Grantee::Role(org, _) => T::Consortium::org_exists(*org),
			};
			ensure!(grantee_exists, Error::<T>::UnknownGrantee);
			match &scope {
				Scope::Record(id) => {
					let meta = T::Records::record_meta(*id).ok_or(Error::<T>::UnknownRecord)?;
					ensure!(meta.patient == who, Error::<T>::NotRecordOwner);
				}
				Scope::ContentType(t) => ensure!(!t.is_empty(), Error::<T>::EmptyContentType),
				Scope::AllRecords => {}
			}
			let id = Self::insert_grant(Grant {
				id: 0,
				patient: who.clone(),
				scope: scope.clone(),
				grantee: grantee.clone(),
				purpose,
				actions,
				not_before,
				expires_at,
				terms_hash,
				delegable,
				parent: None,
				status: GrantStatus::Active,
				granted_by: who.clone(),
				created_at: now,
			})?;
			Self::deposit_event(Event::GrantCreated {
				grant: id,
				patient: who,
				grantee,
				scope,
				purpose,
				actions,
				not_before,
				expires_at,
				at: now,
			});
			Ok(())
		}

		/// Revoke a grant and, in cascade, its active delegations (at most `MaxDelegations`;
		/// delegations are never delegated further). Later requests and key releases under
		/// it fail; what was already decrypted cannot be un-read.
		///
		/// - Origin: the grant's patient, or, for a delegation, its delegator (signed).
		/// - Changes: sets the grant and its delegations to `Revoked`.
		/// - Events: [`Event::GrantRevoked`] for the grant and for each delegation revoked.
		/// - Errors: [`Error::UnknownGrant`], [`Error::NotGrantor`], [`Error::AlreadyRevoked`];
		///   `BadOrigin`.
		#[pallet::call_index(1)]
		#[pallet::weight((T::WeightInfo::revoke(T::MaxDelegations::get()), DispatchClass::Normal, Pays::No))]
		pub fn revoke(origin: OriginFor<T>, grant: GrantId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let g = Grants::<T>::get(grant).ok_or(Error::<T>::UnknownGrant)?;
			ensure!(
				who == g.patient || (g.parent.is_some() && who == g.granted_by),
				Error::<T>::NotGrantor
			);
			ensure!(g.status == GrantStatus::Active, Error::<T>::AlreadyRevoked);
			Self::do_revoke(grant, &who);
			Ok(())
		}

		/// Delegate a delegable grant to another registered account, for at most the rest of
		/// the parent's period. The delegation has the parent's patient, scope, purpose and
		/// actions; it is not delegable itself.
		///
		/// - Origin: a current grantee of `parent` (signed).
		/// - Changes: inserts a new grant with `parent` set; records it under the parent.
		/// - Events: [`Event::GrantDelegated`].
		/// - Errors: [`Error::UnknownGrant`], [`Error::NotGrantee`], [`Error::GrantRevoked`],
		///   [`Error::GrantNotYetValid`], [`Error::GrantExpired`], [`Error::NotDelegable`],
		///   [`Error::SelfDelegation`], [`Error::UnknownGrantee`], [`Error::PeriodInPast`],
		///   [`Error::DelegationOutlivesParent`], [`Error::TooManyDelegations`],
		///   [`Error::GrantIdOverflow`]; `BadOrigin`.
		#[pallet::call_index(2)]
		#[pallet::weight((T::WeightInfo::delegate(), DispatchClass::Normal, Pays::No))]
		pub fn delegate(
			origin: OriginFor<T>,
			parent: GrantId,
			grantee: T::AccountId,
			expires_at: u64,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let now = Self::now_ms();
			let p = Grants::<T>::get(parent).ok_or(Error::<T>::UnknownGrant)?;
			Self::authority(&who, &p, now).map_err(Error::<T>::from)?;
			ensure!(p.delegable && p.parent.is_none(), Error::<T>::NotDelegable);
			ensure!(grantee != who, Error::<T>::SelfDelegation);
			ensure!(T::Consortium::is_registered(&grantee), Error::<T>::UnknownGrantee);
			ensure!(expires_at > now, Error::<T>::PeriodInPast);
			ensure!(expires_at <= p.expires_at, Error::<T>::DelegationOutlivesParent);
			ensure!(
				u32::try_from(Delegations::<T>::decode_len(parent).unwrap_or(0))
					.unwrap_or(u32::MAX)
					< T::MaxDelegations::get(),
				Error::<T>::TooManyDelegations
			);
			let id = Self::insert_grant(Grant {
				id: 0,
				patient: p.patient.clone(),
				scope: p.scope.clone(),
				grantee: Grantee::Account(grantee.clone()),
				purpose: p.purpose,
				actions: p.actions,
				not_before: now,
				expires_at,
				terms_hash: p.terms_hash,
				delegable: false,
				parent: Some(parent),
				status: GrantStatus::Active,
				granted_by: who.clone(),
				created_at: now,
			})?;
			Delegations::<T>::try_mutate(parent, |d| d.try_push(id))
				.map_err(|_| Error::<T>::TooManyDelegations)?;
			Self::deposit_event(Event::GrantDelegated {
				grant: id,
				parent,
				by: who,
				grantee,
				expires_at,
				at: now,
			});
			Ok(())
		}

		/// Request the data key of a record under a grant. At this block's timestamp, the grant
		/// must be active and within its period, cover the record and allow reading, and the
		/// caller must have the whole authority of the grantee ([`Pallet::check_read`]). The custodians
		/// then release their key shares, each sealed to `reply_key`: the public half of an
		/// X25519 key the requester made for this request alone and forgets after the read, so
		/// a key that leaks later opens no past release.
		///
		/// - Origin: the grantee (signed).
		/// - Changes: inserts an [`AccessRequest`], pruned after `RequestLifetime` blocks, and
		///   counts it among the caller's [`PendingRequests`] until its key is released.
		/// - Events: [`Event::AccessRequested`].
		/// - Errors: [`Error::UnknownGrant`], [`Error::UnknownRecord`], [`Error::NotGrantee`],
		///   [`Error::GrantRevoked`], [`Error::GrantNotYetValid`], [`Error::GrantExpired`],
		///   [`Error::RecordNotCovered`], [`Error::ReadNotAllowed`], [`Error::ParentRevoked`],
		///   [`Error::ParentExpired`], [`Error::DelegatorLostStanding`],
		///   [`Error::EmergencyStandingLost`], [`Error::BadReplyKey`],
		///   [`Error::NoCustody`], [`Error::TooManyPendingRequests`],
		///   [`Error::TooManyRequests`], [`Error::RequestIdOverflow`]; `BadOrigin`.
		#[pallet::call_index(3)]
		#[pallet::weight((T::WeightInfo::request(), DispatchClass::Normal, Pays::No))]
		pub fn request(
			origin: OriginFor<T>,
			record: RecordId,
			grant: GrantId,
			reply_key: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let now = Self::now_ms();
			let (g, meta) =
				Self::check_release_margin(&who, record, grant, now).map_err(Error::<T>::from)?;
			ensure!(reply_key != [0; 32], Error::<T>::BadReplyKey);
			ensure!(T::Consortium::threshold() > 0, Error::<T>::NoCustody);
			let id = NextRequestId::<T>::get();
			let next = id.checked_add(1).ok_or(Error::<T>::RequestIdOverflow)?;
			let mut pending = PendingRequests::<T>::get(&who);
			pending.try_push(id).map_err(|_| Error::<T>::TooManyPendingRequests)?;
			let expires_at_block =
				frame_system::Pallet::<T>::block_number().saturating_add(T::RequestLifetime::get());
			// Ordinary requests leave the reserved places of the block to emergency grants.
			let reserved =
				if g.purpose == Purpose::Emergency { 0 } else { T::EmergencyRequestReserve::get() };
			RequestExpiry::<T>::try_mutate(expires_at_block, |q| {
				let used = u32::try_from(q.len()).unwrap_or(u32::MAX);
				if used.saturating_add(reserved) >= T::MaxRequestsPerBlock::get() {
					return Err(());
				}
				q.try_push(id).map_err(|_| ())
			})
			.map_err(|_| Error::<T>::TooManyRequests)?;
			PendingRequests::<T>::insert(&who, pending);
			NextRequestId::<T>::put(next);
			Requests::<T>::insert(
				id,
				AccessRequest {
					id,
					requester: who.clone(),
					record,
					grant,
					reply_key,
					created_at: now,
					expires_at_block,
					shares: BoundedVec::new(),
				},
			);
			Self::deposit_event(Event::AccessRequested {
				request: id,
				requester: who,
				record,
				grant,
				patient: meta.patient,
				at: now,
			});
			Ok(())
		}

		/// A custodian releases its key shares for open requests, each sealed to the request's
		/// reply key. An authorized transaction (no signer, no nonce, no fee, not rate
		/// limited): `custodian_index`'s account signs [`release_signing_payload`] in
		/// `signature`, and [`Pallet::authorize_release`] checks the batch in the pool and
		/// again in the block that includes it, so a release whose requester lost its
		/// authority (a grant revoked or expired since the request, a requester who left the
		/// grantee role or whose organisation was suspended, a delegation whose parent or
		/// delegator lost standing, an emergency whose opener lost the flag) never reaches a
		/// block. Operational class: ordinary transactions cannot take its block space.
		///
		/// - Origin: authorized by [`Pallet::authorize_release`] (submit it as a general
		///   transaction; a signed or unsigned one is refused).
		/// - Changes: appends each share to its request.
		/// - Events: [`Event::KeyShareReleased`] per release; [`Event::KeyReleased`] for a
		///   request that reaches the threshold.
		/// - Errors (in the pool: `InvalidTransaction::Custom` with the error's index; see
		///   [`refusal`]): [`Error::NotCustodian`], [`Error::EmptyBatch`],
		///   [`Error::DuplicateRelease`], [`Error::EmptyShare`], [`Error::TooManyShares`], the
		///   read errors of [`Pallet::request`]; `BadSigner` (no such custodian), `BadProof`
		///   (signature), `Stale` (already released or pruned); `BadOrigin`.
		#[pallet::call_index(4)]
		#[pallet::weight((
			T::WeightInfo::release_shares(u32::try_from(releases.len()).unwrap_or(u32::MAX)),
			DispatchClass::Operational,
			Pays::No
		))]
		#[pallet::authorize(|_source, custodian_index, releases, signature| {
			Pallet::<T>::authorize_release(*custodian_index, releases, signature)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_release_shares(
			T::MaxReleaseBatch::get()
		))]
		pub fn release_shares(
			origin: OriginFor<T>,
			custodian_index: CustodianIndex,
			releases: ReleasesOf<T>,
			signature: T::CustodianSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			// Checked by `authorize_release` before dispatch.
			let _ = signature;
			let custodian = T::Consortium::custodian_account(custodian_index)
				.ok_or(Error::<T>::NotCustodian)?;
			let now = Self::now_ms();
			for (request, share) in releases {
				Self::do_release(custodian_index, &custodian, request, share, now)?;
			}
			Ok(())
		}

		/// Open emergency (break-glass) access to a patient's records without the patient's
		/// consent: creates an Emergency grant to the caller, on all records, read only, for
		/// `MaxEmergencyDuration`. Raises an alarm; a manager or auditor of `org` must review
		/// it within `EmergencyReviewDeadline` blocks.
		///
		/// - Origin: a member of the active organisation `org` with the emergency flag (signed).
		/// - Changes: inserts the grant and the [`Emergency`] record; queues the review
		///   deadline.
		/// - Events: [`Event::EmergencyAccessOpened`].
		/// - Errors: [`Error::NotEmergencyMember`], [`Error::UnknownPatient`],
		///   [`Error::TooManyEmergencies`], [`Error::GrantIdOverflow`]; `BadOrigin`.
		#[pallet::call_index(5)]
		#[pallet::weight((T::WeightInfo::emergency_open(), DispatchClass::Normal, Pays::No))]
		pub fn emergency_open(
			origin: OriginFor<T>,
			org: OrgId,
			patient: T::AccountId,
			reason: EmergencyReason,
			justification_hash: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(T::Consortium::emergency_flag(org, &who), Error::<T>::NotEmergencyMember);
			ensure!(T::Consortium::is_patient(&patient), Error::<T>::UnknownPatient);
			let now = Self::now_ms();
			let expires_at = now.saturating_add(T::MaxEmergencyDuration::get());
			let review_deadline = frame_system::Pallet::<T>::block_number()
				.saturating_add(T::EmergencyReviewDeadline::get());
			ensure!(
				u32::try_from(ReviewQueue::<T>::decode_len(review_deadline).unwrap_or(0))
					.unwrap_or(u32::MAX)
					< T::MaxEmergenciesPerBlock::get(),
				Error::<T>::TooManyEmergencies
			);
			let id = Self::insert_grant(Grant {
				id: 0,
				patient: patient.clone(),
				scope: Scope::AllRecords,
				grantee: Grantee::Account(who.clone()),
				purpose: Purpose::Emergency,
				actions: Actions { read: true, append: false },
				not_before: now,
				expires_at,
				terms_hash: justification_hash,
				delegable: false,
				parent: None,
				status: GrantStatus::Active,
				granted_by: who.clone(),
				created_at: now,
			})?;
			ReviewQueue::<T>::try_mutate(review_deadline, |q| q.try_push(id))
				.map_err(|_| Error::<T>::TooManyEmergencies)?;
			Emergencies::<T>::insert(
				id,
				Emergency {
					opener: who.clone(),
					org,
					patient: patient.clone(),
					reason,
					justification_hash,
					review_deadline,
					review: None,
				},
			);
			Self::deposit_event(Event::EmergencyAccessOpened {
				grant: id,
				opener: who,
				org,
				patient,
				reason,
				justification_hash,
				expires_at,
				review_deadline,
				at: now,
			});
			Ok(())
		}

		/// Review an emergency access. Rejecting it revokes the emergency grant at once.
		///
		/// - Origin: a manager or auditor of the opener's organisation, other than the opener
		///   (signed).
		/// - Changes: stores the [`Review`]; if not approved, revokes the grant.
		/// - Events: [`Event::EmergencyReviewed`]; [`Event::GrantRevoked`] if rejected while
		///   active.
		/// - Errors: [`Error::NotEmergencyGrant`], [`Error::NotReviewer`], [`Error::SelfReview`],
		///   [`Error::AlreadyReviewed`]; `BadOrigin`.
		#[pallet::call_index(6)]
		#[pallet::weight((T::WeightInfo::emergency_review(), DispatchClass::Normal, Pays::No))]
		pub fn emergency_review(
			origin: OriginFor<T>,
			grant: GrantId,
			approved: bool,
			note_hash: [u8; 32],
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let now = Self::now_ms();
			Emergencies::<T>::try_mutate(grant, |e| -> DispatchResult {
				let e = e.as_mut().ok_or(Error::<T>::NotEmergencyGrant)?;
				ensure!(T::Consortium::is_manager_or_auditor(e.org, &who), Error::<T>::NotReviewer);
				ensure!(e.opener != who, Error::<T>::SelfReview);
				ensure!(e.review.is_none(), Error::<T>::AlreadyReviewed);
				e.review = Some(Review { reviewer: who.clone(), approved, note_hash, at: now });
				Ok(())
			})?;
			Self::deposit_event(Event::EmergencyReviewed {
				grant,
				reviewer: who.clone(),
				approved,
				note_hash,
				at: now,
			});
			if !approved && Grants::<T>::get(grant).is_some_and(|g| g.status == GrantStatus::Active)
			{
				Self::do_revoke(grant, &who);
			}
			Ok(())
		}
	}
}

impl<T: Config> From<DenialReason> for Error<T> {
	fn from(r: DenialReason) -> Self {
		match r {
			DenialReason::UnknownGrant => Error::UnknownGrant,
			DenialReason::UnknownRecord => Error::UnknownRecord,
			DenialReason::NotGrantee | DenialReason::NoGrant => Error::NotGrantee,
			DenialReason::GrantRevoked => Error::GrantRevoked,
			DenialReason::GrantNotYetValid => Error::GrantNotYetValid,
			DenialReason::GrantExpired => Error::GrantExpired,
			DenialReason::RecordNotCovered => Error::RecordNotCovered,
			DenialReason::ReadNotAllowed => Error::ReadNotAllowed,
			DenialReason::ParentRevoked => Error::ParentRevoked,
			DenialReason::ParentExpired => Error::ParentExpired,
			DenialReason::DelegatorLostStanding => Error::DelegatorLostStanding,
			DenialReason::EmergencyStandingLost => Error::EmergencyStandingLost,
			DenialReason::UnknownRequest => Error::UnknownRequest,
			DenialReason::AccountInactive => Error::AccountInactive,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// Chain time in milliseconds.
	pub fn now_ms() -> u64 {
		T::Time::now().saturated_into::<u64>()
	}

	/// Store a new grant under a fresh id and index it; returns the id.
	fn insert_grant(mut g: Grant<T>) -> Result<GrantId, Error<T>> {
		let id = NextGrantId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::GrantIdOverflow)?;
		NextGrantId::<T>::put(next);
		g.id = id;
		PatientGrants::<T>::insert(&g.patient, id, ());
		GranteeGrants::<T>::insert(&g.grantee, id, ());
		Grants::<T>::insert(id, g);
		Ok(id)
	}

	/// Request `id` of `requester` no longer waits for its key (released or pruned).
	pub(crate) fn settle(requester: &T::AccountId, id: RequestId) {
		PendingRequests::<T>::mutate_exists(requester, |pending| {
			if let Some(list) = pending {
				list.retain(|r| *r != id);
				if list.is_empty() {
					*pending = None;
				}
			}
		});
	}

	/// Revoke an active grant and its active delegations (bounded by `MaxDelegations`).
	fn do_revoke(grant: GrantId, by: &T::AccountId) {
		let at = Self::now_ms();
		Grants::<T>::mutate(grant, |g| {
			if let Some(g) = g {
				g.status = GrantStatus::Revoked;
			}
		});
		Self::deposit_event(Event::GrantRevoked { grant, by: by.clone(), cascade_from: None, at });
		for child in Delegations::<T>::get(grant) {
			let revoked = Grants::<T>::mutate(child, |g| match g {
				Some(g) if g.status == GrantStatus::Active => {
					g.status = GrantStatus::Revoked;
					true
				}
				_ => false,
			});
			if revoked {
				Self::deposit_event(Event::GrantRevoked {
					grant: child,
					by: by.clone(),
					cascade_from: Some(grant),
					at,
				});
			}
		}
	}

	// ---- Runtime API helpers (not for extrinsics: they iterate) ----

	/// Page of `ids` ordered by id: those after `start_after`, at most `limit`.
	fn page(mut ids: Vec<u64>, start_after: Option<u64>, limit: u32) -> Vec<u64> {
		ids.sort_unstable();
		ids.dedup();
		let limit = usize::try_from(limit).unwrap_or(usize::MAX);
		ids.into_iter().filter(|id| start_after.is_none_or(|a| *id > a)).take(limit).collect()
	}

	/// A grant by id.
	pub fn grant_by_id(id: GrantId) -> Option<Grant<T>> {
		Grants::<T>::get(id)
	}

	/// The grants of `patient`, ordered by id, after the cursor `start_after`.
	pub fn grants_of_patient(
		patient: T::AccountId,
		start_after: Option<GrantId>,
		limit: u32,
	) -> Vec<Grant<T>> {
		let ids = PatientGrants::<T>::iter_key_prefix(&patient).collect();
		Self::page(ids, start_after, limit).into_iter().filter_map(Grants::<T>::get).collect()
	}

	/// The grants `account` holds directly or through a role it currently has, ordered by
	/// id, after the cursor `start_after`.
	pub fn grants_held_by(
		account: T::AccountId,
		start_after: Option<GrantId>,
		limit: u32,
	) -> Vec<Grant<T>> {
		let mut ids: Vec<GrantId> =
			GranteeGrants::<T>::iter_key_prefix(Grantee::Account(account.clone())).collect();
		for (org, roles) in T::Consortium::memberships_of(&account) {
			for role in Role::ALL.into_iter().filter(|r| roles.contains(*r)) {
				ids.extend(GranteeGrants::<T>::iter_key_prefix(Grantee::Role(org, role)));
			}
		}
		Self::page(ids, start_after, limit).into_iter().filter_map(Grants::<T>::get).collect()
	}

	/// Whether `account` may read `record` now, and under which grant; otherwise the most
	/// specific reason found among the patient's grants naming it.
	pub fn can_read(account: T::AccountId, record: RecordId) -> Result<GrantId, DenialReason> {
		let meta = T::Records::record_meta(record).ok_or(DenialReason::UnknownRecord)?;
		let now = Self::now_ms();
		let mut ids: Vec<GrantId> = PatientGrants::<T>::iter_key_prefix(&meta.patient).collect();
		ids.sort_unstable();
		let mut best = DenialReason::NoGrant;
		for id in ids {
			match Self::check_read(&account, record, id, now) {
				Ok(_) => return Ok(id),
				Err(DenialReason::NotGrantee) => {}
				Err(reason) => best = reason,
			}
		}
		Err(best)
	}

	/// An open request by id.
	pub fn request_by_id(id: RequestId) -> Option<AccessRequest<T>> {
		Requests::<T>::get(id)
	}

	/// Open requests still waiting for the share of custodian `index` (whether or not the
	/// threshold is reached), ordered by id, after the cursor `start_after`.
	pub fn open_requests_for_custodian(
		index: CustodianIndex,
		start_after: Option<RequestId>,
		limit: u32,
	) -> Vec<AccessRequest<T>> {
		// Every custodian answers every request (up to n shares, not only the first t), so
		// one faulty custodian cannot block a read.
		let ids = Requests::<T>::iter()
			.filter(|(_, r)| !r.shares.iter().any(|(i, _)| *i == index))
			.map(|(id, _)| id)
			.collect();
		Self::page(ids, start_after, limit).into_iter().filter_map(Requests::<T>::get).collect()
	}

	/// Check the pallet's invariants (`try_state`; also called by tests of other pallets).
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let next_grant = NextGrantId::<T>::get();
		for (id, g) in Grants::<T>::iter() {
			ensure!(g.id == id, "grant id mismatch");
			ensure!(id < next_grant, "grant id not below the counter");
			ensure!(PatientGrants::<T>::contains_key(&g.patient, id), "grant not indexed");
			ensure!(GranteeGrants::<T>::contains_key(&g.grantee, id), "grantee not indexed");
			if let Some(parent) = g.parent {
				let p = Grants::<T>::get(parent).ok_or("delegation of an unknown grant")?;
				ensure!(g.expires_at <= p.expires_at, "delegation outlives its parent");
				ensure!(g.patient == p.patient, "delegation of another patient");
				ensure!(
					p.status == GrantStatus::Active || g.status == GrantStatus::Revoked,
					"active delegation of a revoked grant"
				);
				ensure!(Delegations::<T>::get(parent).contains(&id), "delegation not listed");
				ensure!(!g.delegable, "delegable delegation");
			}
			if g.purpose == Purpose::Emergency {
				ensure!(Emergencies::<T>::contains_key(id), "emergency grant without record");
			}
		}
		for (parent, children) in Delegations::<T>::iter() {
			for c in children {
				ensure!(
					Grants::<T>::get(c).is_some_and(|g| g.parent == Some(parent)),
					"listed delegation does not point to its parent"
				);
			}
		}
		let next_request = NextRequestId::<T>::get();
		for (id, r) in Requests::<T>::iter() {
			ensure!(r.id == id, "request id mismatch");
			ensure!(id < next_request, "request id not below the counter");
			ensure!(Grants::<T>::contains_key(r.grant), "request of an unknown grant");
			ensure!(T::Records::record_meta(r.record).is_some(), "request of an unknown record");
			ensure!(
				RequestExpiry::<T>::get(r.expires_at_block).contains(&id),
				"request not queued for pruning"
			);
		}
		for (who, pending) in PendingRequests::<T>::iter() {
			ensure!(!pending.is_empty(), "an empty pending list is kept");
			for id in pending {
				ensure!(
					Requests::<T>::get(id).is_some_and(|r| r.requester == who),
					"a pending request that is not the account's open request"
				);
			}
		}
		for (id, _) in Emergencies::<T>::iter() {
			ensure!(
				Grants::<T>::get(id).is_some_and(|g| g.purpose == Purpose::Emergency),
				"emergency record without emergency grant"
			);
		}
		Ok(())
	}
}

impl<T: Config> pallet_records::ReadPermission<T::AccountId> for Pallet<T> {
	/// `who` may read `record` under `grant` now: the authority check of a request.
	fn may_read(
		who: &T::AccountId,
		record: RecordId,
		grant: GrantId,
		now_ms: u64,
	) -> Result<(), DispatchError> {
		Self::check_read(who, record, grant, now_ms)
			.map(|_| ())
			.map_err(|reason| Error::<T>::from(reason).into())
	}
}

impl<T: Config> AppendPermission<T::AccountId> for Pallet<T> {
	/// `who` may append a record of `content_type` to `patient`'s records under `grant` if
	/// the grant is usable by `who` now (grantee, status, period), is `patient`'s, covers the
	/// content type (scope `AllRecords` or the same `ContentType`; a `Record` scope never
	/// covers new records) and allows `append`.
	fn may_append(
		who: &T::AccountId,
		patient: &T::AccountId,
		content_type: &[u8],
		grant: GrantId,
		now_ms: u64,
	) -> Result<(), DispatchError> {
		let g = Grants::<T>::get(grant).ok_or(Error::<T>::UnknownGrant)?;
		Self::authority(who, &g, now_ms).map_err(Error::<T>::from)?;
		let covered = g.patient == *patient
			&& match &g.scope {
				Scope::AllRecords => true,
				Scope::ContentType(t) => t.as_slice() == content_type,
				Scope::Record(_) => false,
			};
		ensure!(covered, Error::<T>::RecordNotCovered);
		ensure!(g.actions.append, Error::<T>::AppendNotAllowed);
		Ok(())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn bench_allow(who: &T::AccountId, patient: &T::AccountId) -> GrantId {
		benchmarking::make_grant::<T>(
			patient,
			Grantee::Account(who.clone()),
			Actions { read: true, append: true },
			true,
		)
	}
}
