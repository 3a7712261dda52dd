/**
 * A few lines of DOM building, so no page writes HTML strings (nothing the server or a person typed
 * is ever parsed as markup: every text goes in as a text node).
 */
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces what `parent` holds. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no #${id} on the page`);
  return element as T;
}

/**
 * A message in a live region: `status` is read politely, `alert` at once (errors). The regions stay
 * in the page from the start (a region added together with its text is often not announced); an
 * empty one takes no room (styles.css).
 */
export function say(region: HTMLElement, text: string, kind: 'info' | 'error' | 'success' = 'info'): void {
  region.textContent = text;
  region.dataset.kind = kind;
}

/**
 * A labelled input with its hints, each hint named by the input's aria-describedby (`<id>-hint`,
 * `<id>-hint-1`, ..., then any `aria-describedby` given), so a screen reader reads them with the field.
 */
export function field(id: string, label: string, attributes: Attributes, hints: readonly string[] = []) {
  const hintIds = hints.map((_, index) => `${id}-hint${index ? `-${index}` : ''}`);
  const describedBy = [...hintIds, attributes['aria-describedby']].filter((part) => typeof part === 'string' && part !== '');
  const input = h('input', { id, name: id, ...attributes, 'aria-describedby': describedBy.length ? describedBy.join(' ') : null });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    ...hints.map((hint, index) => h('p', { class: 'hint', id: hintIds[index] }, hint)),
    input,
  );
  return { input, wrap };
}

/** A field refused: marked invalid, the reason in the alert region, the focus on it. */
export function markInvalid(alert: HTMLElement, input: HTMLInputElement, message: string): void {
  input.setAttribute('aria-invalid', 'true');
  say(alert, message, 'error');
  input.focus();
}

/** Editing a field that was refused clears the refusal: the message was about what it held. */
export function clearWhenEdited(alert: HTMLElement, ...inputs: HTMLInputElement[]): void {
  for (const input of inputs)
    input.addEventListener('input', () => {
      if (input.getAttribute('aria-invalid') !== 'true') return;
      input.removeAttribute('aria-invalid');
      say(alert, '');
    });
}
