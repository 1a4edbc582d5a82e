// Small behaviours that the Content-Security-Policy allows (no inline handlers).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
