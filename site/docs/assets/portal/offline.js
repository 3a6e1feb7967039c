// Offline page (/ngoai-tuyen/): a retry button, and the pages this device keeps, read from the
// service worker's page cache (catalog_build/pwa.py), so a reader without a connection can go
// back to them. Everything here is a convenience: the page says what to do without it.
(async () => {
  const retry = document.querySelector("[data-portal-retry]");
  if (retry) {
    retry.hidden = false;
    retry.addEventListener("click", () => location.reload());
  }
  const list = document.querySelector("[data-portal-offline-pages]");
  if (!list || !("caches" in window)) return;
  try {
    // Pages are cached per version of the site's shell; the newest cache is the current one.
    const names = (await caches.keys()).filter((name) => name.startsWith("dvc-pages-"));
    if (!names.length) return;
    const cache = await caches.open(names[names.length - 1]);
    const requests = (await cache.keys()).slice(-30).reverse(); // most recently stored first
    for (const request of requests) {
      const response = await cache.match(request);
      const title = response && /<title>[^<]*<\/title>/.exec(await response.text());
      if (!title) continue;
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = request.url;
      link.textContent = new DOMParser().parseFromString(title[0], "text/html").title.replace(/ - Cổng Dịch vụ công$/, "");
      item.append(link);
      list.append(item);
    }
    if (list.children.length) list.closest("[data-portal-offline-visited]").hidden = false;
  } catch {
    // No list then; the links above still work.
  }
})();
