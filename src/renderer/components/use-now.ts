import { useEffect, useState } from 'react';

/** The current time, re-read every `ms`: for countdowns ("in 3 h 12 min") that move while shown. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
