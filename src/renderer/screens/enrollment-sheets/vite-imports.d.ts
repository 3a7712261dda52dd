// What Vite gives for the imports the sheets use (the renderer's tsconfig does not load vite/client).

/** `?raw`: the file's text, as written (the sheet CSS, for the PDF's one inline <style>). */
declare module '*.css?raw' {
  const text: string;
  export default text;
}

/** `?inline`: the file as a data: URL, whatever its size (the fonts, for the PDF and the preview). */
declare module '*.woff2?inline' {
  const dataUrl: string;
  export default dataUrl;
}

/** A plain stylesheet import: Vite bundles it into the console's CSS (served as 'self'). */
declare module '*.css';
