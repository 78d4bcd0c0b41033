// Starts pagefind's search box on /search/ (no inline script: the CSP forbids it).
/* global PagefindUI */
window.addEventListener('DOMContentLoaded', () => {
  new PagefindUI({ element: '#search', showSubResults: true, showImages: false, resetStyles: false });
});
