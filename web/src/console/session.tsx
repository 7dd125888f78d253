/** The staff console's session: see ../sessionStore.tsx. */
import { createSessionStore } from '../sessionStore';
import { onStaffUnauthorized, staffApi, type StaffPrincipal, type StaffSession } from './api';

const store = createSessionStore<StaffPrincipal, StaffSession>({
  fetch: () => staffApi.session(),
  logout: () => staffApi.logout(),
  onUnauthorized: onStaffUnauthorized,
  loginPath: '/console/login',
});

export const StaffSessionProvider = store.Provider;
export const useStaffSession = store.useSessionValue;
export const RequireStaff = store.RequireSignedIn;
export const useStaff = store.usePrincipal;
