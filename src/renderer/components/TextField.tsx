import { useId, type InputHTMLAttributes, type Ref } from 'react';

/** A labelled input with an optional hint tied to it by aria-describedby. */
export function TextField({
  label,
  hint,
  inputRef,
  ...input
}: { label: string; hint?: string; inputRef?: Ref<HTMLInputElement> } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} ref={inputRef} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
    </div>
  );
}
