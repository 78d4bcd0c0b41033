/** A file's text, imported with Vite's `?raw` suffix (the Worker is bundled by the Astro build, i.e. Vite). */
declare module '*?raw' {
  const text: string;
  export default text;
}
