//! The one authority check: may an account use a grant, now? Used by every call that uses a
//! grant (`request`, `release_shares`, `delegate`, the records pallet's append), by the runtime
//! APIs (`can_read`, `may_release`) and so by the custodians, which ask `may_release` before
//! a share leaves them (the check in `release_shares` cannot stop a share by itself: the
//! sealed share travels in the transaction, also when its dispatch fails). Nothing is checked only when a grant or
//! a request was made: a doctor removed from a role, a suspended organisation, a revoked
//! parent grant or an emergency flag taken away stops every later use. A grant to an
//! account (not a role) depends on no membership: a doctor who leaves a hospital keeps the
//! grants patients gave him by name until they end or are revoked (the wallet issue's
//! deregistration ends them).

use frame_support::traits::Get;
use pallet_consortium::Membership;
use pallet_records::{RecordMeta, RecordProvider};

use crate::{
	Config, DenialReason, Emergencies, Grant, GrantId, GrantStatus, Grantee, GranteeOf, Grants,
	Pallet, Purpose, RecordId, RequestId, Requests, Scope,
};

impl<T: Config> Pallet<T> {
	/// Whether `who` is (or currently holds the role of, in an active organisation) `grantee`.
	pub fn is_grantee(who: &T::AccountId, grantee: &GranteeOf<T>) -> bool {
		match grantee {
			Grantee::Account(a) => a == who,
			Grantee::Role(org, role) => T::Consortium::has_role(*org, who, *role),
		}
	}

	/// The account's own standing, then grantee, status and period of one grant, in this
	/// order.
	fn standing(who: &T::AccountId, g: &Grant<T>, now: u64) -> Result<(), DenialReason> {
		if T::Consortium::is_inactive(who) {
			return Err(DenialReason::AccountInactive);
		}
		if !Self::is_grantee(who, &g.grantee) {
			return Err(DenialReason::NotGrantee);
		}
		if g.status == GrantStatus::Revoked {
			return Err(DenialReason::GrantRevoked);
		}
		if now < g.not_before {
			return Err(DenialReason::GrantNotYetValid);
		}
		if now >= g.expires_at {
			return Err(DenialReason::GrantExpired);
		}
		Ok(())
	}

	/// The whole authority of `who` under `g` at `now`:
	/// - `who` is not a frozen or deregistered account;
	/// - the grant's grantee (the account, or the role held now in an active organisation),
	///   status and period;
	/// - for a delegation, the parent's status and period and the delegator's standing under
	///   the parent now (a delegator who lost the role takes its delegations with it);
	/// - for an emergency grant, the opener's membership and emergency flag now.
	pub fn authority(who: &T::AccountId, g: &Grant<T>, now: u64) -> Result<(), DenialReason> {
		Self::standing(who, g, now)?;
		if let Some(parent) = g.parent {
			let p = Grants::<T>::get(parent).ok_or(DenialReason::UnknownGrant)?;
			match Self::standing(&g.granted_by, &p, now) {
				Ok(()) => {}
				Err(DenialReason::GrantRevoked) => return Err(DenialReason::ParentRevoked),
				Err(DenialReason::GrantExpired | DenialReason::GrantNotYetValid) => {
					return Err(DenialReason::ParentExpired)
				}
				Err(_) => return Err(DenialReason::DelegatorLostStanding),
			}
		}
		if g.purpose == Purpose::Emergency {
			let e = Emergencies::<T>::get(g.id).ok_or(DenialReason::UnknownGrant)?;
			if !T::Consortium::emergency_flag(e.org, &e.opener) {
				return Err(DenialReason::EmergencyStandingLost);
			}
		}
		Ok(())
	}

	/// Whether `g` covers a record with `meta`.
	pub(crate) fn covers(g: &Grant<T>, record: RecordId, meta: &RecordMeta<T::AccountId>) -> bool {
		g.patient == meta.patient
			&& match &g.scope {
				Scope::Record(id) => *id == record,
				Scope::AllRecords => true,
				Scope::ContentType(t) => t.as_slice() == meta.content_type.as_slice(),
			}
	}

	/// May `who` read `record` under `grant` at time `now`? In this order: grant, record,
	/// [`Self::authority`], coverage, read.
	pub fn check_read(
		who: &T::AccountId,
		record: RecordId,
		grant: GrantId,
		now: u64,
	) -> Result<(Grant<T>, RecordMeta<T::AccountId>), DenialReason> {
		let g = Grants::<T>::get(grant).ok_or(DenialReason::UnknownGrant)?;
		let meta = T::Records::record_meta(record).ok_or(DenialReason::UnknownRecord)?;
		Self::authority(who, &g, now)?;
		if !Self::covers(&g, record, &meta) {
			return Err(DenialReason::RecordNotCovered);
		}
		if !g.actions.read {
			return Err(DenialReason::ReadNotAllowed);
		}
		Ok((g, meta))
	}

	/// [`Self::check_read`] at `now` and again `ReleaseMargin` later: the authority holds now
	/// and the grant (and its parent) do not expire within the margin. What `request` and the
	/// custodians (through [`Self::may_release`]) check; `release_shares` checks at inclusion
	/// only ([`Self::check_read`] at the block's time).
	///
	/// Without the margin a share computed in the last block before the grant expires would
	/// be refused in the next block, after the pool had gossiped it: the requester would hold
	/// the key and the chain no record of the release.
	pub fn check_release_margin(
		who: &T::AccountId,
		record: RecordId,
		grant: GrantId,
		now: u64,
	) -> Result<(Grant<T>, RecordMeta<T::AccountId>), DenialReason> {
		let checked = Self::check_read(who, record, grant, now)?;
		Self::check_read(who, record, grant, now.saturating_add(T::ReleaseMargin::get()))?;
		Ok(checked)
	}

	/// May a custodian release a share for open request `request` now? The request's
	/// requester must still be able to read its record under its grant, now and for
	/// `ReleaseMargin` more ([`Self::check_release_margin`] at this block's time): what a
	/// custodian asks before computing a share.
	pub fn may_release(request: RequestId) -> Result<(), DenialReason> {
		let r = Requests::<T>::get(request).ok_or(DenialReason::UnknownRequest)?;
		Self::check_release_margin(&r.requester, r.record, r.grant, Self::now_ms()).map(|_| ())
	}
}
