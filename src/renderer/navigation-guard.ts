/**
 * The page never navigates: every link click (mouse, middle button, keyboard Enter) is stopped here
 * and, if it leads away, handed to main, which opens it in the system browser only after the
 * allow-list check (src/main/trusted-url.ts). Dropping a link or file on the window is stopped too.
 * In Electron the shell also denies navigation; in the browser host this is the guard.
 */
export function guardNavigation(
  doc: Document,
  openExternal: (url: string) => Promise<boolean>,
  onRefused: () => void,
  onOpened: () => void,
): () => void {
  const onClick = (event: MouseEvent) => {
    const anchor = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!anchor) return;
    // A file the console itself made (the audit CSV): a blob: URL of this page, saved, never navigated to.
    if (anchor.hasAttribute('download') && anchor.getAttribute('href')?.startsWith(`blob:${doc.location.origin}/`)) return;
    event.preventDefault();
    const href = anchor.getAttribute('href') ?? '';
    if (href.startsWith('#')) {
      // In-page links (the skip link) move focus to their target; the address never changes.
      const target = href.length > 1 ? doc.getElementById(decodeURIComponent(href.slice(1))) : null;
      target?.focus();
      return;
    }
    void openExternal(new URL(href, doc.baseURI).href).then((opened) => (opened ? onOpened() : onRefused()));
  };
  const onDrop = (event: DragEvent) => event.preventDefault();
  doc.addEventListener('click', onClick, true);
  doc.addEventListener('auxclick', onClick, true);
  doc.addEventListener('dragover', onDrop, true);
  doc.addEventListener('drop', onDrop, true);
  return () => {
    doc.removeEventListener('click', onClick, true);
    doc.removeEventListener('auxclick', onClick, true);
    doc.removeEventListener('dragover', onDrop, true);
    doc.removeEventListener('drop', onDrop, true);
  };
}
