//! Rule family: the Membership trait answers what other pallets ask.

use crate::{mock::*, Membership, Role, Roles};

#[test]
fn membership_queries() {
	new_test_ext().execute_with(|| {
		assert!(Consortium::is_manager_or_auditor(1, &MANAGER));
		assert!(Consortium::is_manager_or_auditor(1, &AUDITOR));
		assert!(!Consortium::is_manager_or_auditor(1, &DOCTOR));
		assert!(!Consortium::is_manager_or_auditor(2, &AUDITOR));
		assert!(Consortium::emergency_flag(2, &DOCTOR_B));
		assert!(!Consortium::emergency_flag(1, &DOCTOR_B));
		assert!(Consortium::has_role(2, &DOCTOR_B, Role::Doctor));
		assert!(!Consortium::has_role(1, &DOCTOR_B, Role::Doctor));
		assert_eq!(
			Consortium::memberships_of(&DOCTOR_B),
			vec![(2, Roles::from_roles(&[Role::Doctor]))]
		);
		assert!(Consortium::memberships_of(&PATIENT).is_empty());
		assert_eq!(Consortium::x25519_of(&STRANGER), None);
		assert!(!Consortium::org_exists(9));
	});
}
