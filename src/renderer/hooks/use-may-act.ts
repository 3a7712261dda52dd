import { useSession } from './use-session';

/** Support agents and tenant admins change users; auditors only read (the server refuses them too). */
export function useMayAct(): boolean {
  const role = useSession().data?.operator?.role;
  return role === 'support' || role === 'tenant_admin';
}
