//! Rule family: a manager invites an account and the account publishes its own key; an account
//! rotates its own key; managers (for the staff they onboarded) and governance freeze,
//! re-activate and deregister accounts; governance corrects an account's kind.

use crate::{
	mock::*, AccountInfo, AccountKind, AccountStatus, Accounts, Error, Event, Invitation,
	Invitations, Membership, Role,
};
use frame_support::{assert_noop, assert_ok};

/// An account that is not registered at genesis.
const NEWCOMER: u64 = 20;
/// A key of small order (all zeros): anyone could open what is sealed to it.
const WEAK_KEY: [u8; 32] = [0; 32];

fn invite(by: RuntimeOrigin, org: u32, who: u64, kind: AccountKind) -> sp_runtime::DispatchResult {
	Consortium::invite_account(by, org, who, kind)
}

/// `who` invited by org 1's manager as staff, accepted, and made a doctor of org 1.
fn onboard_doctor(who: u64) {
	assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, who, AccountKind::Staff));
	assert_ok!(Consortium::accept_invitation(
		RuntimeOrigin::signed(who),
		x25519_key(9),
		1,
		AccountKind::Staff
	));
	let roles = crate::Roles::from_roles(&[Role::Doctor]);
	assert_ok!(Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, who, roles, true));
}

#[test]
fn a_manager_invites_and_the_account_publishes_its_own_key() {
	new_test_ext().execute_with(|| {
		assert_eq!(System::providers(&NEWCOMER), 0);
		assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Patient));
		assert_eq!(
			Invitations::<Test>::get(NEWCOMER),
			Some(Invitation {
				kind: AccountKind::Patient,
				org: 1,
				invited_by: Some(MANAGER),
				expires_at: 11
			})
		);
		assert_eq!(
			super::last_event(),
			Event::AccountInvited {
				who: NEWCOMER,
				kind: AccountKind::Patient,
				org: 1,
				by: Some(MANAGER),
				expires_at: 11,
				at: 1
			}
		);
		// The account exists without any balance, so its nonce can be checked; it is not
		// registered yet and has no key anybody could seal to.
		assert_eq!(System::providers(&NEWCOMER), 1);
		assert!(!Consortium::is_registered(&NEWCOMER));
		assert_eq!(Consortium::x25519_of(&NEWCOMER), None);

		System::set_block_number(11);
		assert_ok!(Consortium::accept_invitation(
			RuntimeOrigin::signed(NEWCOMER),
			x25519_key(7),
			1,
			AccountKind::Patient
		));
		assert_eq!(
			Accounts::<Test>::get(NEWCOMER),
			Some(AccountInfo {
				kind: AccountKind::Patient,
				x25519: x25519_key(7),
				registered_by: Some(MANAGER),
				org: Some(1),
				status: AccountStatus::Active,
			})
		);
		assert_eq!(Invitations::<Test>::get(NEWCOMER), None);
		assert!(Consortium::is_patient(&NEWCOMER));
		assert_eq!(Consortium::x25519_of(&NEWCOMER), Some(x25519_key(7)));
		assert_eq!(System::providers(&NEWCOMER), 1);
		assert_eq!(
			super::last_event(),
			Event::AccountRegistered {
				who: NEWCOMER,
				kind: AccountKind::Patient,
				org: 1,
				by: Some(MANAGER),
				x25519: x25519_key(7),
				at: 11
			}
		);
	});
}

#[test]
fn only_managers_of_an_active_organisation_or_governance_invite() {
	new_test_ext().execute_with(|| {
		for who in [DOCTOR, AUDITOR, PATIENT, STRANGER, DOCTOR_B] {
			assert_noop!(
				invite(RuntimeOrigin::signed(who), 1, NEWCOMER, AccountKind::Staff),
				Error::<Test>::NotManagerOfOrg
			);
		}
		// A manager of organisation 1 does not onboard under organisation 2's authority.
		assert_noop!(
			invite(RuntimeOrigin::signed(MANAGER), 2, NEWCOMER, AccountKind::Staff),
			Error::<Test>::NotManagerOfOrg
		);
		assert_ok!(Consortium::set_organisation_status(
			RuntimeOrigin::root(),
			1,
			crate::OrgStatus::Suspended
		));
		assert_noop!(
			invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Staff),
			Error::<Test>::OrgSuspended
		);
		assert_ok!(invite(RuntimeOrigin::root(), 2, NEWCOMER, AccountKind::Staff));
		assert_eq!(
			Invitations::<Test>::get(NEWCOMER).map(|i| (i.org, i.invited_by)),
			Some((2, None))
		);
	});
}

#[test]
fn an_account_is_invited_once_at_a_time_and_registered_once() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			invite(RuntimeOrigin::signed(MANAGER), 1, PATIENT, AccountKind::Patient),
			Error::<Test>::AlreadyRegistered
		);
		assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Patient));
		assert_noop!(
			invite(RuntimeOrigin::root(), 2, NEWCOMER, AccountKind::Staff),
			Error::<Test>::AlreadyInvited
		);
		// Once expired, a new invitation replaces it, and the account keeps one provider.
		System::set_block_number(12);
		assert_ok!(invite(RuntimeOrigin::root(), 2, NEWCOMER, AccountKind::Staff));
		assert_eq!(Invitations::<Test>::get(NEWCOMER).map(|i| i.expires_at), Some(22));
		assert_eq!(System::providers(&NEWCOMER), 1);
	});
}

#[test]
fn only_the_invited_account_accepts_in_time_with_a_valid_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Staff));
		// Someone else (a registered account included) cannot take the invitation.
		for who in [STRANGER, PATIENT] {
			assert_noop!(
				Consortium::accept_invitation(
					RuntimeOrigin::signed(who),
					x25519_key(7),
					1,
					AccountKind::Staff
				),
				Error::<Test>::NotInvited
			);
		}
		assert_noop!(
			Consortium::accept_invitation(
				RuntimeOrigin::signed(NEWCOMER),
				WEAK_KEY,
				1,
				AccountKind::Staff
			),
			Error::<Test>::InvalidX25519Key
		);
		System::set_block_number(12);
		assert_noop!(
			Consortium::accept_invitation(
				RuntimeOrigin::signed(NEWCOMER),
				x25519_key(7),
				1,
				AccountKind::Staff
			),
			Error::<Test>::InvitationExpired
		);
		assert!(!Consortium::is_registered(&NEWCOMER));
	});
}

#[test]
fn an_invitation_is_cancelled_by_its_organisation_or_governance() {
	new_test_ext().execute_with(|| {
		assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Staff));
		for who in [DOCTOR, NEWCOMER, DOCTOR_B] {
			assert_noop!(
				Consortium::cancel_invitation(RuntimeOrigin::signed(who), NEWCOMER),
				Error::<Test>::NotManagerOfOrg
			);
		}
		assert_ok!(Consortium::cancel_invitation(RuntimeOrigin::signed(MANAGER), NEWCOMER));
		assert_eq!(Invitations::<Test>::get(NEWCOMER), None);
		assert_eq!(System::providers(&NEWCOMER), 0);
		assert_eq!(
			super::last_event(),
			Event::InvitationCancelled { who: NEWCOMER, by: Some(MANAGER), at: 1 }
		);
		assert_noop!(
			Consortium::accept_invitation(
				RuntimeOrigin::signed(NEWCOMER),
				x25519_key(7),
				1,
				AccountKind::Staff
			),
			Error::<Test>::NotInvited
		);
		assert_noop!(
			Consortium::cancel_invitation(RuntimeOrigin::root(), NEWCOMER),
			Error::<Test>::NotInvited
		);
	});
}

#[test]
fn an_account_rotates_its_own_key() {
	new_test_ext().execute_with(|| {
		assert_ok!(Consortium::rotate_key(RuntimeOrigin::signed(PATIENT), x25519_key(8)));
		assert_eq!(Consortium::x25519_of(&PATIENT), Some(x25519_key(8)));
		assert_eq!(
			super::last_event(),
			Event::KeyRotated { who: PATIENT, x25519: x25519_key(8), at: 1 }
		);
		assert_noop!(
			Consortium::rotate_key(RuntimeOrigin::signed(STRANGER), x25519_key(8)),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Consortium::rotate_key(RuntimeOrigin::signed(PATIENT), WEAK_KEY),
			Error::<Test>::InvalidX25519Key
		);
	});
}

#[test]
fn a_manager_freezes_and_reactivates_the_staff_it_onboarded() {
	new_test_ext().execute_with(|| {
		onboard_doctor(NEWCOMER);
		assert!(Consortium::emergency_flag(1, &NEWCOMER));
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::signed(MANAGER),
			NEWCOMER,
			AccountStatus::Frozen
		));
		assert_eq!(Accounts::<Test>::get(NEWCOMER).map(|a| a.status), Some(AccountStatus::Frozen));
		assert_eq!(
			super::last_event(),
			Event::AccountStatusChanged {
				who: NEWCOMER,
				status: AccountStatus::Frozen,
				by: Some(MANAGER),
				at: 1
			}
		);
		// A frozen account holds no role, no emergency flag and no key anybody seals to.
		assert!(!Consortium::has_role(1, &NEWCOMER, Role::Doctor));
		assert!(!Consortium::is_member(1, &NEWCOMER));
		assert!(!Consortium::emergency_flag(1, &NEWCOMER));
		assert!(!Consortium::is_registered(&NEWCOMER));
		assert!(Consortium::is_inactive(&NEWCOMER));
		assert_eq!(Consortium::x25519_of(&NEWCOMER), None);
		assert!(Consortium::memberships_of(&NEWCOMER).is_empty());
		assert_noop!(
			Consortium::set_account_status(
				RuntimeOrigin::signed(MANAGER),
				NEWCOMER,
				AccountStatus::Frozen
			),
			Error::<Test>::StatusUnchanged
		);

		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::signed(MANAGER),
			NEWCOMER,
			AccountStatus::Active
		));
		assert!(Consortium::has_role(1, &NEWCOMER, Role::Doctor));
		assert!(!Consortium::is_inactive(&NEWCOMER));
	});
}

#[test]
fn a_manager_changes_only_the_staff_of_its_own_organisation() {
	new_test_ext().execute_with(|| {
		onboard_doctor(NEWCOMER);
		let freeze = |by: RuntimeOrigin, who: u64| {
			Consortium::set_account_status(by, who, AccountStatus::Frozen)
		};
		// Org 2's doctor, org 1's doctor and auditor, the account itself: no authority.
		for who in [DOCTOR_B, DOCTOR, AUDITOR] {
			assert_noop!(
				freeze(RuntimeOrigin::signed(who), NEWCOMER),
				Error::<Test>::NotManagerOfOrg
			);
		}
		// A patient, and accounts onboarded by governance at genesis, are governance's.
		assert_noop!(
			freeze(RuntimeOrigin::signed(MANAGER), PATIENT),
			Error::<Test>::NotAccountAuthority
		);
		assert_noop!(
			freeze(RuntimeOrigin::signed(MANAGER), DOCTOR),
			Error::<Test>::NotAccountAuthority
		);
		assert_noop!(
			freeze(RuntimeOrigin::signed(MANAGER), STRANGER),
			Error::<Test>::NotRegistered
		);
		// A manager of another organisation that made the account its member gains nothing.
		let roles = crate::Roles::from_roles(&[Role::Manager]);
		assert_ok!(Consortium::add_member(RuntimeOrigin::root(), 2, DOCTOR, roles, false));
		assert_noop!(
			freeze(RuntimeOrigin::signed(DOCTOR), NEWCOMER),
			Error::<Test>::NotManagerOfOrg
		);
		// Governance may freeze anyone but a custodian.
		assert_ok!(freeze(RuntimeOrigin::root(), PATIENT));
		assert_eq!(Accounts::<Test>::get(PATIENT).map(|a| a.status), Some(AccountStatus::Frozen));
		// A frozen manager no longer manages.
		assert_ok!(freeze(RuntimeOrigin::root(), MANAGER));
		assert_noop!(
			freeze(RuntimeOrigin::signed(MANAGER), NEWCOMER),
			Error::<Test>::NotManagerOfOrg
		);
		assert_noop!(
			invite(RuntimeOrigin::signed(MANAGER), 1, 21, AccountKind::Staff),
			Error::<Test>::NotManagerOfOrg
		);
	});
}

#[test]
fn a_custodian_of_the_active_configuration_cannot_be_frozen_or_deregistered() {
	new_test_ext().execute_with(|| {
		for status in [AccountStatus::Frozen, AccountStatus::Deregistered] {
			assert_noop!(
				Consortium::set_account_status(RuntimeOrigin::root(), CUSTODIAN_0, status),
				Error::<Test>::CustodianAccount
			);
		}
		assert!(Consortium::is_registered(&CUSTODIAN_0));
	});
}

#[test]
fn deregistration_is_final() {
	new_test_ext().execute_with(|| {
		onboard_doctor(NEWCOMER);
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::signed(MANAGER),
			NEWCOMER,
			AccountStatus::Deregistered
		));
		assert!(!Consortium::has_role(1, &NEWCOMER, Role::Doctor));
		assert!(Consortium::is_inactive(&NEWCOMER));
		for status in [AccountStatus::Active, AccountStatus::Frozen] {
			assert_noop!(
				Consortium::set_account_status(RuntimeOrigin::root(), NEWCOMER, status),
				Error::<Test>::AccountDeregistered
			);
		}
		// The id is never registered again, and its nonce (provider) is kept.
		assert_noop!(
			invite(RuntimeOrigin::root(), 1, NEWCOMER, AccountKind::Staff),
			Error::<Test>::AlreadyRegistered
		);
		assert_eq!(System::providers(&NEWCOMER), 1);
		assert_noop!(
			Consortium::set_account_kind(RuntimeOrigin::root(), NEWCOMER, AccountKind::Patient),
			Error::<Test>::AccountDeregistered
		);
	});
}

#[test]
fn governance_corrects_an_accounts_kind() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Consortium::set_account_kind(
				RuntimeOrigin::signed(MANAGER),
				DOCTOR,
				AccountKind::Patient
			),
			sp_runtime::DispatchError::BadOrigin
		);
		assert_noop!(
			Consortium::set_account_kind(RuntimeOrigin::root(), DOCTOR, AccountKind::Staff),
			Error::<Test>::StatusUnchanged
		);
		assert_ok!(Consortium::remove_member(RuntimeOrigin::root(), 1, DOCTOR));
		assert_ok!(Consortium::set_account_kind(
			RuntimeOrigin::root(),
			DOCTOR,
			AccountKind::Patient
		));
		assert!(Consortium::is_patient(&DOCTOR));
		assert_eq!(
			super::last_event(),
			Event::AccountKindChanged { who: DOCTOR, kind: AccountKind::Patient, at: 1 }
		);
	});
}

#[test]
fn migration_v1_makes_version_0_accounts_active_without_an_organisation() {
	use crate::migrations::v1::{AccountInfoV0, MigrateV0ToV1};
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		let old = AccountInfoV0 {
			kind: AccountKind::Staff,
			x25519: [4; 32],
			registered_by: Some(MANAGER),
		};
		frame_support::storage::unhashed::put(&Accounts::<Test>::hashed_key_for(NEWCOMER), &old);
		StorageVersion::new(0).put::<Consortium>();
		MigrateV0ToV1::<Test>::on_runtime_upgrade();
		assert_eq!(
			Accounts::<Test>::get(NEWCOMER),
			Some(AccountInfo {
				kind: AccountKind::Staff,
				x25519: [4; 32],
				registered_by: Some(MANAGER),
				org: None,
				status: AccountStatus::Active,
			})
		);
		assert_eq!(Consortium::on_chain_storage_version(), 1);
	});
}

#[test]
fn an_account_accepts_only_the_invitation_it_expects_and_may_decline() {
	new_test_ext().execute_with(|| {
		// Hospital 2's governance-made invitation got there first: accepting it as hospital
		// 1's staff (or as a patient) is refused, and nothing is registered.
		assert_ok!(invite(RuntimeOrigin::root(), 2, NEWCOMER, AccountKind::Staff));
		let accept = |org, kind| {
			Consortium::accept_invitation(RuntimeOrigin::signed(NEWCOMER), x25519_key(7), org, kind)
		};
		assert_noop!(accept(1, AccountKind::Staff), Error::<Test>::InvitationMismatch);
		assert_noop!(accept(2, AccountKind::Patient), Error::<Test>::InvitationMismatch);
		// The account declines it, and the right one can be sent.
		assert_ok!(Consortium::decline_invitation(RuntimeOrigin::signed(NEWCOMER)));
		assert_eq!(Invitations::<Test>::get(NEWCOMER), None);
		assert_eq!(System::providers(&NEWCOMER), 0);
		assert_eq!(
			super::last_event(),
			Event::InvitationCancelled { who: NEWCOMER, by: Some(NEWCOMER), at: 1 }
		);
		assert_noop!(
			Consortium::decline_invitation(RuntimeOrigin::signed(NEWCOMER)),
			Error::<Test>::NotInvited
		);
		assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Staff));
		assert_ok!(accept(1, AccountKind::Staff));
		assert_eq!(Accounts::<Test>::get(NEWCOMER).and_then(|a| a.org), Some(1));
	});
}

#[test]
fn managers_do_not_freeze_managers_nor_staff_who_left() {
	new_test_ext().execute_with(|| {
		onboard_doctor(NEWCOMER);
		let freeze = |by: u64, who: u64| {
			Consortium::set_account_status(RuntimeOrigin::signed(by), who, AccountStatus::Frozen)
		};
		// Made a manager too, the doctor is out of reach of the other managers.
		let both = crate::Roles::from_roles(&[Role::Doctor, Role::Manager]);
		assert_ok!(Consortium::update_member(RuntimeOrigin::root(), 1, NEWCOMER, both, false));
		assert_noop!(freeze(MANAGER, NEWCOMER), Error::<Test>::NotAccountAuthority);
		// Having left hospital 1 (now serving at hospital 2 only), likewise.
		assert_ok!(Consortium::remove_member(RuntimeOrigin::root(), 1, NEWCOMER));
		let doctor = crate::Roles::from_roles(&[Role::Doctor]);
		assert_ok!(Consortium::add_member(RuntimeOrigin::root(), 2, NEWCOMER, doctor, false));
		assert_noop!(freeze(MANAGER, NEWCOMER), Error::<Test>::NotAccountAuthority);
		assert!(Consortium::has_role(2, &NEWCOMER, Role::Doctor));
		// Governance still can.
		assert_ok!(Consortium::set_account_status(
			RuntimeOrigin::root(),
			NEWCOMER,
			AccountStatus::Frozen
		));
	});
}

#[test]
fn only_staff_hold_roles() {
	new_test_ext().execute_with(|| {
		// A manager's second account, onboarded as a patient (which managers cannot freeze),
		// cannot be made a manager.
		assert_ok!(invite(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, AccountKind::Patient));
		assert_ok!(Consortium::accept_invitation(
			RuntimeOrigin::signed(NEWCOMER),
			x25519_key(7),
			1,
			AccountKind::Patient
		));
		let manager = crate::Roles::from_roles(&[Role::Manager]);
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::signed(MANAGER), 1, NEWCOMER, manager, false),
			Error::<Test>::NotStaff
		);
		assert_noop!(
			Consortium::add_member(RuntimeOrigin::root(), 1, PATIENT, manager, false),
			Error::<Test>::NotStaff
		);
		// Nor can a member be turned into a patient.
		assert_noop!(
			Consortium::set_account_kind(RuntimeOrigin::root(), DOCTOR, AccountKind::Patient),
			Error::<Test>::HasMemberships
		);
	});
}
