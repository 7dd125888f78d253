/**
 * Who is acting. Applicants (经办人) log in with phone + SMS code; staff log in with username,
 * password and a second factor and hold one or more roles. Both live in the same session table,
 * told apart by `kind`, so that no applicant session can ever pass a staff check.
 */
export const staffRoles = ['reviewer', 'finance', 'producer', 'admin'] as const;
export type StaffRole = (typeof staffRoles)[number];

export const staffRoleLabels: Record<StaffRole, string> = {
  reviewer: '审核员',
  finance: '财务',
  producer: '制证员',
  admin: '管理员',
};

export type Principal =
  | { kind: 'applicant'; id: string; phone: string }
  | { kind: 'staff'; id: string; username: string; roles: StaffRole[] };

export type PrincipalKind = Principal['kind'];
