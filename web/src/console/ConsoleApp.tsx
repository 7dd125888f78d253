/**
 * The staff console under /console: its own session, the login page, and behind it the console
 * itself (ConsoleWorkspace), a chunk of its own: /console/login loads the login page only.
 */
import { Route, Routes } from 'react-router-dom';
import { lazyPage } from '../lazyPage';
import { ConsoleLoginPage } from './LoginPage';
import { StaffSessionProvider } from './session';

const ConsoleWorkspace = lazyPage(() => import('./ConsoleWorkspace'), 'ConsoleWorkspace');

export function ConsoleApp() {
  return (
    <StaffSessionProvider>
      <Routes>
        <Route path="login" element={<ConsoleLoginPage />} />
        <Route path="*" element={<ConsoleWorkspace />} />
      </Routes>
    </StaffSessionProvider>
  );
}
