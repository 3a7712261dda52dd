/**
 * What runs inside the console's page (as a string: the page has no module of ours): times one search
 * from the keystroke that makes the search box hold the fragment to the moment the results container
 * says it shows that fragment's results (`data-results-for`, set once its rows or its empty state are
 * in the DOM), both by the page's own clock. Evaluated through the DevTools protocol, which the
 * console's Content-Security-Policy (no eval) does not apply to. `frameMs` adds the wait for the next animation frame:
 * about when those rows are painted.
 */
export const inPageTimer = `
window.__searchTimer = {
  arm(target) {
    const input = document.querySelector('#user-search');
    const state = { start: null, done: null };
    this.state = state;
    const onInput = () => {
      if (state.start === null && input.value.trim() === target) state.start = performance.now();
    };
    input.addEventListener('input', onInput, true);
    state.result = new Promise((resolve) => {
      const check = () => {
        const results = document.querySelector('[data-testid="user-results"]');
        if (state.start === null || !results || results.getAttribute('data-results-for') !== target) return;
        const domMs = performance.now() - state.start;
        const rows = results.querySelectorAll('[data-testid="user-row"]').length;
        observer.disconnect();
        input.removeEventListener('input', onInput, true);
        requestAnimationFrame(() => resolve({ domMs, frameMs: performance.now() - state.start, rows }));
      };
      const observer = new MutationObserver(check);
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-results-for'] });
    });
  },
  // Resolves true once the results shown are those for target (false after timeoutMs).
  showing(target, timeoutMs) {
    const shown = () => document.querySelector('[data-testid="user-results"]')?.getAttribute('data-results-for') === target;
    if (shown()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (shown()) finish(true);
      });
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (value) => {
        observer.disconnect();
        clearTimeout(timer);
        resolve(value);
      };
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-results-for'] });
    });
  },
  result(timeoutMs) {
    return Promise.race([this.state.result, new Promise((resolve) => setTimeout(() => resolve(null), timeoutMs))]);
  },
};
`;

/** The `data-results-for` the page shows now (null: none, e.g. while a search is on its way). */
export const resultsFor = `document.querySelector('[data-testid="user-results"]')?.getAttribute('data-results-for') ?? null`;
