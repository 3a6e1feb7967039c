// Search page: runs Pagefind on the query folded to ASCII (the index holds a folded copy of
// every searchable field, so "dang ky" finds "Đăng ký"). The form is a plain GET form, so the
// URL always says what was searched and the back button works.
//
// Offline, the service worker (catalog_build/pwa.py) serves the index it keeps; a result whose
// details (Pagefind fragment) were never loaded cannot be shown, and the status says so.
const PAGE_SIZE = 20;
const OFFLINE_PAGE_SIZE = 200; // offline, missing details fail at once: show every kept result
const siteRoot = new URL("../../", import.meta.url);
let pagefind;
// A newer version of the site took over this open page: its search index replaced the one this
// page loaded, whose files may be gone. The page's address holds the search, so a reload resumes.
let replaced = false;
if (navigator.serviceWorker?.controller) {
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    replaced = true;
  });
}

export function fold(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D");
}

async function engine() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    await pagefind.options({ baseUrl: siteRoot.pathname });
  }
  return pagefind;
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url.replace(/\.html$/, "/"); // stubs are flat files; pages are folders
  link.textContent = data.meta.title;
  const info = document.createElement("span");
  info.className = "portal-result__info";
  info.textContent = `${data.meta.code} · ${data.meta.info}`;
  item.append(link, info);
  return item;
}

function filtersFrom(form) {
  const filters = {};
  for (const [field, name] of [["linh-vuc", "linh-vuc"], ["cap", "cap"], ["doi-tuong", "doi-tuong"]]) {
    const value = form.elements[field].value;
    if (value) filters[name] = value;
  }
  return filters;
}

async function run(form, status, list) {
  const query = form.elements.q.value.trim();
  const filters = filtersFrom(form);
  const params = new URLSearchParams(new FormData(form));
  for (const [key, value] of [...params]) if (!value) params.delete(key);
  history.replaceState(null, "", params.size ? `?${params}` : location.pathname);
  list.replaceChildren();
  document.querySelector(".portal-more")?.remove();
  if (!query && !Object.keys(filters).length) {
    status.textContent = "";
    return;
  }
  status.textContent = "Đang tìm…";
  const search = await (await engine()).search(query ? fold(query) : null, { filters });
  if (form.elements.q.value.trim() !== query) return; // a newer query is on its way
  const total = search.results.length;
  const what = query ? ` cho “${query}”` : "";
  // Offline, Pagefind finds nothing in index chunks it could not load: say the search was partial.
  const found = total
    ? `Tìm thấy ${total} thủ tục${what}.`
    : navigator.onLine
      ? `Không tìm thấy thủ tục nào${what}. Hãy thử từ khóa ngắn hơn hoặc bỏ bộ lọc.`
      : `Không tìm thấy thủ tục nào${what} trong phần dữ liệu tìm kiếm đã lưu trên máy. Bạn đang ngoại tuyến; khi có mạng, hãy tìm lại.`;
  status.textContent = found;
  let tried = 0;
  let missing = 0;
  const more = document.createElement("button");
  more.type = "button";
  more.className = "portal-more";
  more.textContent = "Xem thêm kết quả";
  const showMore = async () => {
    const size = navigator.onLine ? PAGE_SIZE : OFFLINE_PAGE_SIZE;
    const batch = search.results.slice(tried, tried + size);
    const loaded = await Promise.allSettled(batch.map((r) => r.data()));
    list.append(...loaded.filter((r) => r.status === "fulfilled").map((r) => resultItem(r.value)));
    tried += batch.length;
    missing += loaded.filter((r) => r.status === "rejected").length;
    if (missing) status.textContent = `${found} ${missingNote(missing, list.children.length)}`;
    if (tried >= total) more.remove();
  };
  more.addEventListener("click", () => showMore().catch(() => more.remove()));
  await showMore();
  if (tried < total) list.after(more);
}

function missingNote(missing, shown) {
  return navigator.onLine
    ? `${missing} kết quả không tải được; vui lòng thử lại sau.`
    : `Bạn đang ngoại tuyến: đang hiện ${shown} kết quả đã lưu trên máy; các kết quả khác chưa được lưu trên máy, khi có mạng hãy tìm lại.`;
}

const form = document.querySelector("[data-portal-search]");
if (form) {
  const status = document.querySelector("[data-portal-search-status]");
  const list = document.querySelector("[data-portal-search-results]");
  const params = new URLSearchParams(location.search);
  for (const field of ["q", "linh-vuc", "cap", "doi-tuong"]) {
    if (params.has(field)) form.elements[field].value = params.get(field);
  }
  if (Object.keys(filtersFrom(form)).length) form.querySelector("[data-portal-search-filters]").open = true;
  let timer;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(form, status, list).catch(showError), 250);
  };
  const showError = () => {
    if (replaced && navigator.onLine) {
      location.reload();
      return;
    }
    status.textContent = navigator.onLine
      ? "Không tải được bộ tìm kiếm. Vui lòng kiểm tra kết nối và thử lại."
      : "Bạn đang ngoại tuyến và bộ tìm kiếm chưa được lưu trên máy này. Hãy thử lại khi có mạng.";
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(form, status, list).catch(showError);
  });
  form.elements.q.addEventListener("input", schedule);
  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", schedule));
  if (params.size) run(form, status, list).catch(showError);
}
