import { useMemo } from 'react';
import { useOperators } from './use-admin-data';

/** Operator id -> "Name (email)", for events that name the operator who acted. */
export function useOperatorNames(): ReadonlyMap<string, string> {
  const operators = useOperators();
  return useMemo(() => new Map((operators.data?.items ?? []).map((o) => [o.id, `${o.name} (${o.email})`])), [operators.data]);
}
