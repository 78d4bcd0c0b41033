// Starts pagefind's search box on /search/ (no inline script: the CSP forbids it).
/* global PagefindUI */
window.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('search');
  new PagefindUI({ element: '#search', showSubResults: true, showImages: false, resetStyles: false });
  // Pagefind's input has only a placeholder; give it a name screen readers announce.
  const input = box.querySelector('input');
  if (input) input.setAttribute('aria-label', box.dataset.label || '');
});
