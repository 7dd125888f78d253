/** The applicant portal's session: see sessionStore.tsx. */
import { authApi, onUnauthorized, type ApplicantPrincipal, type Session } from './api';
import { createSessionStore } from './sessionStore';

export type { LoginRedirectState } from './sessionStore';

const store = createSessionStore<ApplicantPrincipal, Session>({
  fetch: () => authApi.session(),
  logout: () => authApi.logout(),
  onUnauthorized,
  loginPath: '/login',
});

export const SessionProvider = store.Provider;
export const useSession = store.useSessionValue;
export const RequireApplicant = store.RequireSignedIn;
/** The applicant's masked phone; only meaningful under RequireApplicant. */
export const usePrincipal = store.usePrincipal;
