/** Who is logged in to the staff console: asked once, replaced at login, cleared at 退出 or on a 401. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { FullPageError } from '../components/FullPageError';
import { FullPageSpin } from '../components/FullPageSpin';
import { onStaffUnauthorized, staffApi, type StaffPrincipal, type StaffSession } from './api';

type State = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'anonymous' } | { status: 'signedIn'; principal: StaffPrincipal };

interface Value {
  state: State;
  signedIn(session: StaffSession): void;
  logout(): Promise<void>;
  retry(): void;
}

const Ctx = createContext<Value | undefined>(undefined);

export function StaffSessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    staffApi.session().then(
      (s) => {
        if (current) setState(s ? { status: 'signedIn', principal: s.principal } : { status: 'anonymous' });
      },
      (err: unknown) => {
        if (current) setState({ status: 'failed', message: err instanceof Error ? err.message : String(err) });
      },
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  useEffect(() => {
    onStaffUnauthorized(() => setState({ status: 'anonymous' }));
    return () => onStaffUnauthorized(undefined);
  }, []);

  const signedIn = useCallback((s: StaffSession) => setState({ status: 'signedIn', principal: s.principal }), []);
  const logout = useCallback(async () => {
    await staffApi.logout();
    setState({ status: 'anonymous' });
  }, []);
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  const value = useMemo(() => ({ state, signedIn, logout, retry }), [state, signedIn, logout, retry]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useStaffSession(): Value {
  const v = useContext(Ctx);
  if (!v) throw new Error('useStaffSession outside StaffSessionProvider');
  return v;
}

export function RequireStaff({ children }: { children: ReactNode }) {
  const { state, retry } = useStaffSession();
  const location = useLocation();
  if (state.status === 'loading') return <FullPageSpin />;
  if (state.status === 'failed') return <FullPageError message={state.message} onRetry={retry} />;
  if (state.status === 'anonymous') return <Navigate to="/console/login" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

export function useStaff(): StaffPrincipal {
  const { state } = useStaffSession();
  if (state.status !== 'signedIn') throw new Error('useStaff outside RequireStaff');
  return state.principal;
}
