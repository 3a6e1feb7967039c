// Registers the service worker that keeps the site readable offline (sw.js, written by every
// catalogue build; catalog_build/pwa.py says what it keeps and how an update takes over).
// After the page has loaded, so its precache never competes with the page itself; where service
// workers are missing or registration fails, the site works as it does without this script.
(() => {
  if (!("serviceWorker" in navigator)) return;
  const worker = new URL("../../sw.js", document.currentScript.src);
  const register = () => navigator.serviceWorker.register(worker).catch(() => {});
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
})();
