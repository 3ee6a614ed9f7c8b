// Users of the manager, their user groups, login sessions, API tokens and role mappings:
// the shapes the manager, the CLI and the console share.
import { Type, type Static } from 'typebox';
import { PageQuery } from './resources.js';
import { ROLES } from './roles.js';

/** User and user-group names follow OS account names, so mappings read like the seed's. */
export const PRINCIPAL_NAME_PATTERN = '^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}$';
export const UserName = Type.String({ pattern: PRINCIPAL_NAME_PATTERN, maxLength: 64 });
export const GroupName = Type.String({ pattern: PRINCIPAL_NAME_PATTERN, maxLength: 64 });
export const FullName = Type.String({ maxLength: 256 });
/** A password being set. The upper bound keeps scrypt's input bounded. */
const NEW_PASSWORD = { minLength: 8, maxLength: 1024 } as const;
export const NewPassword = Type.String(NEW_PASSWORD);
const GeneratedIfOmitted = Type.Optional(Type.String({ ...NEW_PASSWORD, description: 'omitted: a one-time password is generated and returned once' }));
/** A password being checked: any length the store could hold. */
const GivenPassword = Type.String({ minLength: 1, maxLength: 1024 });
const GroupList = Type.Array(GroupName, { uniqueItems: true, maxItems: 256 });

export const RoleName = Type.Enum(ROLES);

export const UserView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  fullName: Type.String(),
  groups: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  /** Set until the user replaces a password someone else chose; until then it may only change it. */
  mustChangePassword: Type.Boolean(),
  createdAt: Type.String(),
});
export type UserView = Static<typeof UserView>;

export const UserParams = Type.Object({ name: UserName });
export const UserListQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
export type UserListQuery = Static<typeof UserListQuery>;

export const CreateUserRequest = Type.Object({
  name: UserName,
  fullName: Type.Optional(FullName),
  password: GeneratedIfOmitted,
  groups: Type.Optional(GroupList),
}, { additionalProperties: false });
export type CreateUserRequest = Static<typeof CreateUserRequest>;

/** A new user must replace its first password (given or generated) at its first login. */
export const CreatedUser = Type.Object({
  user: UserView,
  oneTimePassword: Type.Optional(Type.String()),
});
export type CreatedUser = Static<typeof CreatedUser>;

export const ModifyUserRequest = Type.Object({
  fullName: Type.Optional(FullName),
  groups: Type.Optional(GroupList),
  disabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });
export type ModifyUserRequest = Static<typeof ModifyUserRequest>;

/** An administrator sets another user's password; the user must change it at next login. */
export const SetPasswordRequest = Type.Object({
  password: GeneratedIfOmitted,
}, { additionalProperties: false });
export type SetPasswordRequest = Static<typeof SetPasswordRequest>;

export const PasswordSet = Type.Object({ oneTimePassword: Type.Optional(Type.String()) });
export type PasswordSet = Static<typeof PasswordSet>;

export const ChangeOwnPasswordRequest = Type.Object({
  oldPassword: GivenPassword,
  newPassword: NewPassword,
}, { additionalProperties: false });
export type ChangeOwnPasswordRequest = Static<typeof ChangeOwnPasswordRequest>;

export const LoginRequest = Type.Object({ name: UserName, password: GivenPassword }, { additionalProperties: false });
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResponse = Type.Object({
  user: UserView,
  roles: Type.Array(RoleName),
  expiresAt: Type.String(),
});
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateTokenRequest = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'omitted: the token does not expire' })),
}, { additionalProperties: false });
export type CreateTokenRequest = Static<typeof CreateTokenRequest>;

export const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
});
export type TokenView = Static<typeof TokenView>;

/** The token's secret is shown here once; the manager keeps only its hash. */
export const CreatedToken = Type.Object({ ...TokenView.properties, token: Type.String() });
export type CreatedToken = Static<typeof CreatedToken>;

export const TokenParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Who the caller is, and how it authenticated (session or token). */
export const WhoAmI = Type.Object({ id: Type.String(), name: Type.String(), groups: Type.Array(Type.String()), roles: Type.Array(Type.String()), via: Type.String() });
export type WhoAmI = Static<typeof WhoAmI>;

// Role mappings: the seed's lwiMapRole operations and queries.

/** Any text: an unknown role is refused with CAP-E0104 rather than a schema error. */
export const RoleParams = Type.Object({ role: Type.String({ minLength: 1, maxLength: 64 }) });
export const GroupParams = Type.Object({ name: GroupName });

export const RoleView = Type.Object({
  role: RoleName,
  /** What the role may do (see PERMISSION_ROLES). */
  permissions: Type.Array(Type.String()),
  users: Type.Array(Type.String()),
  groups: Type.Array(Type.String()),
});
export type RoleView = Static<typeof RoleView>;

export const MappingRequest = Type.Object({
  users: Type.Optional(Type.Array(UserName, { uniqueItems: true, maxItems: 1000 })),
  groups: Type.Optional(Type.Array(GroupName, { uniqueItems: true, maxItems: 1000 })),
}, { additionalProperties: false });
export type MappingRequest = Static<typeof MappingRequest>;

export const RoleUsers = Type.Object({ role: RoleName, users: Type.Array(Type.String()) });
export type RoleUsers = Static<typeof RoleUsers>;
export const RoleGroups = Type.Object({ role: RoleName, groups: Type.Array(Type.String()) });
export type RoleGroups = Static<typeof RoleGroups>;

export const RoleGrant = Type.Object({
  role: RoleName,
  /** Absent: mapped to the user itself; present: through this user group. */
  group: Type.Optional(Type.String()),
});
export type RoleGrant = Static<typeof RoleGrant>;

export const UserRoles = Type.Object({
  user: Type.String(),
  /** The roles the user holds, directly or through its groups. */
  roles: Type.Array(RoleName),
  grants: Type.Array(RoleGrant),
});
export type UserRoles = Static<typeof UserRoles>;

export const GroupRoles = Type.Object({ group: Type.String(), roles: Type.Array(RoleName) });
export type GroupRoles = Static<typeof GroupRoles>;
