import { useCallback, useEffect, useState } from 'react';

/**
 * Whole seconds left until a deadline. It counts against the wall clock, not by ticks, because
 * browsers throttle timers in background tabs and a tick count would then run slow.
 */
export function useCountdown(): { remaining: number; start(seconds: number): void; reset(): void } {
  const [deadline, setDeadline] = useState<number | undefined>(undefined);
  const [remaining, setRemaining] = useState(0);

  useEffect(() => {
    if (deadline === undefined) return;
    const update = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setRemaining(left);
      if (left === 0) setDeadline(undefined);
    };
    update();
    const timer = window.setInterval(update, 250);
    return () => window.clearInterval(timer);
  }, [deadline]);

  const start = useCallback((seconds: number) => {
    setRemaining(seconds);
    setDeadline(Date.now() + seconds * 1000);
  }, []);

  const reset = useCallback(() => {
    setRemaining(0);
    setDeadline(undefined);
  }, []);

  return { remaining, start, reset };
}
