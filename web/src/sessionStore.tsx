/**
 * Who is logged in, for every page of one area (the portal or the console): asked of the server
 * once at start-up, replaced at login, cleared at logout or when any protected call answers 401.
 * Each area makes its own store from its own API.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { FullPageError } from './components/FullPageError';
import { FullPageSpin } from './components/FullPageSpin';

export type SessionState<P> =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'anonymous' }
  | { status: 'signedIn'; principal: P };

export interface SessionValue<P, S> {
  state: SessionState<P>;
  signedIn(session: S): void;
  logout(): Promise<void>;
  retry(): void;
}

/** Where the login page sends the user back to after a successful login. */
export interface LoginRedirectState {
  from?: string;
}

export interface SessionSource<S> {
  /** null when nobody is logged in. */
  fetch(): Promise<S | null>;
  logout(): Promise<void>;
  onUnauthorized(handler: (() => void) | undefined): void;
  loginPath: string;
}

export function createSessionStore<P, S extends { principal: P }>(source: SessionSource<S>) {
  const Ctx = createContext<SessionValue<P, S> | undefined>(undefined);

  function Provider({ children }: { children: ReactNode }) {
    const [state, setState] = useState<SessionState<P>>({ status: 'loading' });
    const [attempt, setAttempt] = useState(0);

    useEffect(() => {
      let current = true;
      source.fetch().then(
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
      source.onUnauthorized(() => setState({ status: 'anonymous' }));
      return () => source.onUnauthorized(undefined);
    }, []);

    const signedIn = useCallback((session: S) => setState({ status: 'signedIn', principal: session.principal }), []);
    const logout = useCallback(async () => {
      await source.logout();
      setState({ status: 'anonymous' });
    }, []);
    const retry = useCallback(() => {
      setState({ status: 'loading' });
      setAttempt((n) => n + 1);
    }, []);

    const value = useMemo(() => ({ state, signedIn, logout, retry }), [state, signedIn, logout, retry]);
    return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
  }

  function useSessionValue(): SessionValue<P, S> {
    const value = useContext(Ctx);
    if (!value) throw new Error('session hook outside its provider');
    return value;
  }

  /** Renders its children for a logged-in principal; anyone else goes to the login page. */
  function RequireSignedIn({ children }: { children: ReactNode }) {
    const { state, retry } = useSessionValue();
    const location = useLocation();
    if (state.status === 'loading') return <FullPageSpin />;
    if (state.status === 'failed') return <FullPageError message={state.message} onRetry={retry} />;
    if (state.status === 'anonymous') {
      const redirect: LoginRedirectState = { from: location.pathname + location.search };
      return <Navigate to={source.loginPath} replace state={redirect} />;
    }
    return children;
  }

  /** Only meaningful under RequireSignedIn. */
  function usePrincipal(): P {
    const { state } = useSessionValue();
    if (state.status !== 'signedIn') throw new Error('principal read outside RequireSignedIn');
    return state.principal;
  }

  return { Provider, useSessionValue, RequireSignedIn, usePrincipal };
}
