/**
 * The tenant picker of the screens that serve operators of several tenants (users, shared accounts,
 * enrollment sheets): a labelled native select whose empty choice is "all tenants" or "choose one".
 */
export function TenantSelect({
  id,
  label,
  emptyLabel,
  value,
  tenants,
  onChange,
}: {
  id: string;
  label: string;
  emptyLabel: string;
  value: string;
  tenants: ReadonlyArray<{ id: string; name: string }>;
  onChange: (tenantId: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{emptyLabel}</option>
        {tenants.map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name}
          </option>
        ))}
      </select>
    </div>
  );
}
