/** The staff console under /console: its own session, login page and routes. */
import { Navigate, Route, Routes } from 'react-router-dom';
import { NotFoundPage } from '../NotFoundPage';
import { ConsoleHome, ConsoleLayout, RequireRole } from './ConsoleLayout';
import { ConsoleLoginPage } from './LoginPage';
import { ProductionDetailPage } from './ProductionDetailPage';
import { ProductionQueuePage } from './ProductionQueuePage';
import { ReviewDetailPage } from './ReviewDetailPage';
import { ReviewQueuePage } from './ReviewQueuePage';
import { RequireStaff, StaffSessionProvider } from './session';

export function ConsoleApp() {
  return (
    <StaffSessionProvider>
      <Routes>
        <Route path="login" element={<ConsoleLoginPage />} />
        <Route
          element={
            <RequireStaff>
              <ConsoleLayout />
            </RequireStaff>
          }
        >
          <Route index element={<ConsoleHome />} />
          <Route
            path="review"
            element={
              <RequireRole role="reviewer">
                <ReviewQueuePage />
              </RequireRole>
            }
          />
          <Route
            path="review/:id"
            element={
              <RequireRole role="reviewer">
                <ReviewDetailPage />
              </RequireRole>
            }
          />
          <Route
            path="production"
            element={
              <RequireRole role="producer">
                <ProductionQueuePage />
              </RequireRole>
            }
          />
          <Route
            path="production/:id"
            element={
              <RequireRole role="producer">
                <ProductionDetailPage />
              </RequireRole>
            }
          />
          <Route path="home" element={<Navigate to="/console" replace />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </StaffSessionProvider>
  );
}
