//! The consortium on chain: organisations (hospitals), their members and roles, registered
//! accounts and the custody configuration. Governance calls go through `Sudo` on the
//! development and local chains ([`Authority::Governance`]); a manager of an organisation
//! signs its own member and onboarding calls ([`Authority::Manager`]).
//!
//! Each call returns the event it emits on success; a refused call returns
//! [`ChainError::Dispatch`] with the pallet error and its documented sentence.

use subxt::{tx::Signer, utils::AccountId32};

pub use crate::chain::runtime::types::{
	AccountInfo, AccountKind, AccountStatus, CustodyConfig, Invitation, MemberInfo, OrgStatus,
	Organisation, Role, Roles,
};
use crate::chain::{
	read,
	runtime::{
		self,
		consortium::events,
		generated::runtime_types::{
			bounded_collections::bounded_vec::BoundedVec, pallet_consortium::pallet::Call,
		},
		RuntimeCall,
	},
	At, Chain, ChainError, EhrConfig, Included,
};
use crate::crypto::identity::Identity;

/// An organisation id.
pub type OrgId = u32;
/// A custodian's index in the custody configuration.
pub type CustodianIndex = u16;

/// Who makes an administrative call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authority {
	/// A manager of the organisation named in the call, signing it.
	Manager,
	/// Consortium governance: the signer is the sudo key (development and local chains).
	Governance,
}

/// The role set holding exactly `roles`.
pub fn roles(roles: &[Role]) -> Roles {
	Roles(roles.iter().fold(0u8, |acc, r| acc | role_bit(r)))
}

/// Whether `set` holds `role`.
pub fn has_role(set: &Roles, role: &Role) -> bool {
	set.0 & role_bit(role) != 0
}

/// The names of the roles in `set`, e.g. `["manager", "doctor"]`.
pub fn role_names(set: &Roles) -> Vec<&'static str> {
	[
		(Role::Manager, "manager"),
		(Role::Doctor, "doctor"),
		(Role::Nurse, "nurse"),
		(Role::Researcher, "researcher"),
		(Role::Auditor, "auditor"),
	]
	.into_iter()
	.filter(|(role, _)| has_role(set, role))
	.map(|(_, name)| name)
	.collect()
}

/// The bit of a role in [`Roles`] (the pallet's encoding).
fn role_bit(role: &Role) -> u8 {
	match role {
		Role::Manager => 1,
		Role::Doctor => 1 << 1,
		Role::Nurse => 1 << 2,
		Role::Researcher => 1 << 3,
		Role::Auditor => 1 << 4,
	}
}

/// Submits a call that a manager signs itself or governance dispatches through `Sudo`.
async fn administer<S, P>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	signed: P,
	governance: Call,
) -> Result<Included, ChainError>
where
	S: Signer<EhrConfig>,
	P: subxt::tx::Payload,
{
	match authority {
		Authority::Manager => chain.submit(&signed, signer).await,
		Authority::Governance => chain.sudo(RuntimeCall::Consortium(governance), signer).await,
	}
}

/// `Consortium::add_organisation` (governance): adds an active organisation.
pub async fn add_organisation<S: Signer<EhrConfig>>(
	chain: &Chain,
	governance: &S,
	org: OrgId,
	name_hash: [u8; 32],
	custodian_index: Option<CustodianIndex>,
) -> Result<events::OrganisationAdded, ChainError> {
	let call = Call::add_organisation { org, name_hash, custodian_index };
	chain.sudo(RuntimeCall::Consortium(call), governance).await?.event()
}

/// `Consortium::set_organisation_status` (governance): suspends or re-activates an
/// organisation; while suspended its members hold no role.
pub async fn set_organisation_status<S: Signer<EhrConfig>>(
	chain: &Chain,
	governance: &S,
	org: OrgId,
	status: OrgStatus,
) -> Result<events::OrganisationStatusChanged, ChainError> {
	let call = Call::set_organisation_status { org, status };
	chain.sudo(RuntimeCall::Consortium(call), governance).await?.event()
}

/// `Consortium::add_member`: adds `who` to `org` with `roles` and the emergency flag.
pub async fn add_member<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	org: OrgId,
	who: AccountId32,
	roles: Roles,
	emergency: bool,
) -> Result<events::MemberAdded, ChainError> {
	let signed =
		runtime::transactions().consortium().add_member(org, who, roles.clone(), emergency);
	let governance = Call::add_member { org, who, roles, emergency };
	administer(chain, signer, authority, signed, governance).await?.event()
}

/// `Consortium::update_member`: replaces a member's roles and emergency flag.
pub async fn update_member<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	org: OrgId,
	who: AccountId32,
	roles: Roles,
	emergency: bool,
) -> Result<events::MemberUpdated, ChainError> {
	let signed =
		runtime::transactions().consortium().update_member(org, who, roles.clone(), emergency);
	let governance = Call::update_member { org, who, roles, emergency };
	administer(chain, signer, authority, signed, governance).await?.event()
}

/// `Consortium::remove_member`: removes `who` from `org`; its roles there end at once.
pub async fn remove_member<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	org: OrgId,
	who: AccountId32,
) -> Result<events::MemberRemoved, ChainError> {
	let signed = runtime::transactions().consortium().remove_member(org, who);
	let governance = Call::remove_member { org, who };
	administer(chain, signer, authority, signed, governance).await?.event()
}

/// `Consortium::invite_account`: invites `who` to register as a patient or staff account
/// under `org`'s authority. The account accepts with [`accept_invitation`].
pub async fn invite_account<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	org: OrgId,
	who: AccountId32,
	kind: AccountKind,
) -> Result<events::AccountInvited, ChainError> {
	let signed = runtime::transactions().consortium().invite_account(org, who, kind.clone());
	let governance = Call::invite_account { org, who, kind };
	administer(chain, signer, authority, signed, governance).await?.event()
}

/// `Consortium::accept_invitation`: `account` accepts its invitation from `org` as `kind`,
/// publishing its own X25519 key, in a transaction it signs itself. Refused
/// (`InvitationMismatch`) if the invitation on chain is from another organisation or for
/// another kind.
pub async fn accept_invitation(
	chain: &Chain,
	account: &Identity,
	org: OrgId,
	kind: AccountKind,
) -> Result<events::AccountRegistered, ChainError> {
	let x25519 = account.x25519_public();
	let call = runtime::transactions().consortium().accept_invitation(x25519, org, kind);
	chain.submit(&call, account).await?.event()
}

/// `Consortium::decline_invitation`: `account` declines the invitation it holds.
pub async fn decline_invitation(
	chain: &Chain,
	account: &Identity,
) -> Result<events::InvitationCancelled, ChainError> {
	let call = runtime::transactions().consortium().decline_invitation();
	chain.submit(&call, account).await?.event()
}

/// Onboards `account`: `signer` invites it under `org` and the account accepts.
pub async fn onboard<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	org: OrgId,
	account: &Identity,
	kind: AccountKind,
) -> Result<events::AccountRegistered, ChainError> {
	let who = crate::chain::account_of(account);
	invite_account(chain, signer, authority, org, who, kind.clone()).await?;
	accept_invitation(chain, account, org, kind).await
}

/// `Consortium::cancel_invitation`: withdraws an invitation not yet accepted.
pub async fn cancel_invitation<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	who: AccountId32,
) -> Result<events::InvitationCancelled, ChainError> {
	let signed = runtime::transactions().consortium().cancel_invitation(who);
	let governance = Call::cancel_invitation { who };
	administer(chain, signer, authority, signed, governance).await?.event()
}

/// `Consortium::set_account_status`: freezes, re-activates or deregisters `who` (a manager
/// for the staff its organisation onboarded, governance for anyone but a custodian).
pub async fn set_account_status<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	authority: Authority,
	who: AccountId32,
	status: AccountStatus,
) -> Result<events::AccountStatusChanged, ChainError> {
	let signed = runtime::transactions().consortium().set_account_status(who, status.clone());
	let governance = Call::set_account_status { who, status };
	administer(chain, signer, authority, signed, governance).await?.event()
}

/// `Consortium::set_account_kind` (governance): corrects the kind of an account.
pub async fn set_account_kind<S: Signer<EhrConfig>>(
	chain: &Chain,
	governance: &S,
	who: AccountId32,
	kind: AccountKind,
) -> Result<events::AccountKindChanged, ChainError> {
	let call = Call::set_account_kind { who, kind };
	chain.sudo(RuntimeCall::Consortium(call), governance).await?.event()
}

/// `Consortium::rotate_key`: replaces the signer's own X25519 key.
pub async fn rotate_key<S: Signer<EhrConfig>>(
	chain: &Chain,
	signer: &S,
	x25519: [u8; 32],
) -> Result<events::KeyRotated, ChainError> {
	chain.submit(&runtime::transactions().consortium().rotate_key(x25519), signer).await?.event()
}

/// `Consortium::set_custody_config` (governance): replaces the custody configuration.
pub async fn set_custody_config<S: Signer<EhrConfig>>(
	chain: &Chain,
	governance: &S,
	public_key: [u8; 32],
	verification_keys: Vec<[u8; 32]>,
	custodian_accounts: Vec<AccountId32>,
	threshold: u16,
) -> Result<events::CustodyConfigSet, ChainError> {
	let call = Call::set_custody_config {
		public_key,
		verification_keys: BoundedVec(verification_keys),
		custodian_accounts: BoundedVec(custodian_accounts),
		threshold,
	};
	chain.sudo(RuntimeCall::Consortium(call), governance).await?.event()
}

/// The registered account `who`, if any.
pub async fn account(at: &At, who: &AccountId32) -> Result<Option<AccountInfo>, ChainError> {
	let addr = runtime::storage().consortium().accounts();
	read(at, addr, (*who,)).await
}

/// `who`'s invitation, if it has one not yet accepted.
pub async fn invitation(at: &At, who: &AccountId32) -> Result<Option<Invitation>, ChainError> {
	read(at, runtime::storage().consortium().invitations(), (*who,)).await
}

/// The organisation `org`, if any.
pub async fn organisation(at: &At, org: OrgId) -> Result<Option<Organisation>, ChainError> {
	let addr = runtime::storage().consortium().organisations();
	read(at, addr, (org,)).await
}

/// `who`'s membership of `org`, if any.
pub async fn member(
	at: &At,
	org: OrgId,
	who: &AccountId32,
) -> Result<Option<MemberInfo>, ChainError> {
	let addr = runtime::storage().consortium().members();
	read(at, addr, (org, *who)).await
}

/// The custody configuration, if governance set one.
pub async fn custody(at: &At) -> Result<Option<CustodyConfig>, ChainError> {
	let addr = runtime::storage().consortium().custody();
	read(at, addr, ()).await
}
