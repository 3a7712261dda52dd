/** A LIKE pattern (with ESCAPE '\') matching `text` anywhere: its own %, _ and \ are literal. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
