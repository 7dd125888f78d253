/**
 * Who is logged in, for every page: asked of the server once at start-up, replaced at login, and
 * cleared at logout or when any protected call answers 401.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { authApi, onUnauthorized, type ApplicantPrincipal, type Session } from './api';
import { FullPageSpin } from './components/FullPageSpin';
import { FullPageError } from './components/FullPageError';

type SessionState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'anonymous' }
  | { status: 'signedIn'; principal: ApplicantPrincipal };

interface SessionContextValue {
  state: SessionState;
  signedIn(session: Session): void;
  logout(): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    authApi.session().then(
      (session) => {
        if (current) setState(session ? { status: 'signedIn', principal: session.principal } : { status: 'anonymous' });
      },
      (err: unknown) => {
        if (current) setState({ status: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  // Route guards react to the state change and send the user to the login page.
  useEffect(() => {
    onUnauthorized(() => setState({ status: 'anonymous' }));
    return () => onUnauthorized(undefined);
  }, []);

  const signedIn = useCallback((session: Session) => {
    setState({ status: 'signedIn', principal: session.principal });
  }, []);

  const logout = useCallback(async () => {
    await authApi.logout();
    setState({ status: 'anonymous' });
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, signedIn, logout, retry }), [state, signedIn, logout, retry]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** Where the login page sends the user back to after a successful login. */
export interface LoginRedirectState {
  from?: string;
}

/** Renders its children for a logged-in applicant; anyone else goes to the login page. */
export function RequireApplicant({ children }: { children: ReactNode }) {
  const { state, retry } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageSpin />;
  if (state.status === 'failed') return <FullPageError message={state.message} onRetry={retry} />;
  if (state.status === 'anonymous') {
    const redirect: LoginRedirectState = { from: location.pathname + location.search };
    return <Navigate to="/login" replace state={redirect} />;
  }
  return children;
}

/** The applicant's masked phone; only meaningful under RequireApplicant. */
export function usePrincipal(): ApplicantPrincipal {
  const { state } = useSession();
  if (state.status !== 'signedIn') throw new Error('usePrincipal outside RequireApplicant');
  return state.principal;
}
