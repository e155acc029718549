//! Benchmarks of the consortium pallet (frame-benchmarking v2), worst case for every call.

use super::*;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// The X25519 base point (u = 9): a valid public key.
const BASE_POINT: [u8; 32] = {
	let mut k = [0u8; 32];
	k[0] = 9;
	k
};

fn setup_manager<T: Config>(org: OrgId) -> T::AccountId {
	let manager: T::AccountId = account("manager", 0, 0);
	Organisations::<T>::insert(
		org,
		Organisation {
			id: org,
			name_hash: [0; 32],
			custodian_index: None,
			status: OrgStatus::Active,
		},
	);
	Members::<T>::insert(
		org,
		&manager,
		MemberInfo { roles: Roles::from_roles(&[Role::Manager]), emergency: false },
	);
	MemberOrgs::<T>::insert(&manager, org, ());
	Pallet::<T>::do_register(&manager, AccountKind::Staff, BASE_POINT, None, None);
	manager
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_organisation() -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 7, [1; 32], Some(0));
		assert!(Organisations::<T>::contains_key(7));
		Ok(())
	}

	#[benchmark]
	fn set_organisation_status() -> Result<(), BenchmarkError> {
		setup_manager::<T>(7);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 7, OrgStatus::Suspended);
		Ok(())
	}

	#[benchmark]
	fn add_member() {
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("member", 0, 0);
		Pallet::<T>::do_register(&who, AccountKind::Staff, BASE_POINT, None, None);
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), 7, who.clone(), Roles(Roles::VALID_MASK), true);
		assert!(Members::<T>::contains_key(7, who));
	}

	#[benchmark]
	fn update_member() {
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("member", 0, 0);
		Members::<T>::insert(7, &who, MemberInfo { roles: Roles(2), emergency: false });
		MemberOrgs::<T>::insert(&who, 7, ());
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), 7, who, Roles(Roles::VALID_MASK), true);
	}

	#[benchmark]
	fn remove_member() {
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("member", 0, 0);
		Members::<T>::insert(7, &who, MemberInfo { roles: Roles(2), emergency: false });
		MemberOrgs::<T>::insert(&who, 7, ());
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), 7, who.clone());
		assert!(!Members::<T>::contains_key(7, who));
	}

	#[benchmark]
	fn invite_account() {
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("patient", 0, 0);
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), 7, who.clone(), AccountKind::Patient);
		assert!(Invitations::<T>::contains_key(who));
	}

	#[benchmark]
	fn accept_invitation() {
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("patient", 0, 0);
		let invited = Pallet::<T>::invite_account(
			RawOrigin::Signed(manager).into(),
			7,
			who.clone(),
			AccountKind::Patient,
		);
		assert!(invited.is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(who.clone()), BASE_POINT, 7, AccountKind::Patient);
		assert!(Accounts::<T>::contains_key(who));
	}

	#[benchmark]
	fn cancel_invitation() {
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("patient", 0, 0);
		let invited = Pallet::<T>::invite_account(
			RawOrigin::Signed(manager.clone()).into(),
			7,
			who.clone(),
			AccountKind::Patient,
		);
		assert!(invited.is_ok());
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), who.clone());
		assert!(!Invitations::<T>::contains_key(who));
	}

	#[benchmark]
	fn set_account_status() {
		// The manager's path reads the most: the account, the organisation, the manager's
		// account and membership, the custody configuration.
		let manager = setup_manager::<T>(7);
		let who: T::AccountId = account("staff", 0, 0);
		Pallet::<T>::do_register(&who, AccountKind::Staff, BASE_POINT, None, Some(7));
		Members::<T>::insert(7, &who, MemberInfo { roles: Roles(2), emergency: false });
		MemberOrgs::<T>::insert(&who, 7, ());
		#[extrinsic_call]
		_(RawOrigin::Signed(manager), who.clone(), AccountStatus::Frozen);
		assert_eq!(Accounts::<T>::get(who).map(|a| a.status), Some(AccountStatus::Frozen));
	}

	#[benchmark]
	fn set_account_kind() -> Result<(), BenchmarkError> {
		let who: T::AccountId = account("staff", 0, 0);
		Pallet::<T>::do_register(&who, AccountKind::Staff, BASE_POINT, None, None);
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone(), AccountKind::Patient);
		assert_eq!(Accounts::<T>::get(who).map(|a| a.kind), Some(AccountKind::Patient));
		Ok(())
	}

	#[benchmark]
	fn rotate_key() {
		let who: T::AccountId = account("patient", 0, 0);
		Pallet::<T>::do_register(&who, AccountKind::Patient, BASE_POINT, None, None);
		#[extrinsic_call]
		_(RawOrigin::Signed(who), BASE_POINT);
	}

	#[benchmark]
	fn set_custody_config(n: Linear<1, { T::MaxCustodians::get() }>) -> Result<(), BenchmarkError> {
		let origin =
			T::GovernanceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let accounts: Vec<T::AccountId> = (0..n).map(|i| account("custodian", i, 0)).collect();
		for a in &accounts {
			Pallet::<T>::do_register(a, AccountKind::Staff, BASE_POINT, None, None);
		}
		// Worst case for the consistency check: t = n/2 + 1 leaves n - t keys to cross-check
		// by interpolating t points each.
		let t = n / 2 + 1;
		let coefficients: Vec<u64> = (1..=u64::from(t)).collect();
		let (group, keys) = crate::custody::public_keys(&coefficients, accounts.len());
		let accounts = BoundedVec::try_from(accounts).map_err(|_| BenchmarkError::Weightless)?;
		let keys = BoundedVec::try_from(keys).map_err(|_| BenchmarkError::Weightless)?;
		let threshold = u16::try_from(t).map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, group, keys, accounts, threshold);
		assert!(Custody::<T>::exists());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
