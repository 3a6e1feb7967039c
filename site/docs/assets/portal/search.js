// Search page: runs Pagefind on the query folded to ASCII (the index holds a folded copy of
// every searchable field, so "dang ky" finds "Đăng ký"). The form is a plain GET form, so the
// URL always says what was searched and the back button works.
const PAGE_SIZE = 20;
const siteRoot = new URL("../../", import.meta.url);
let pagefind;

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
  status.textContent = total
    ? `Tìm thấy ${total} thủ tục${query ? ` cho “${query}”` : ""}.`
    : `Không tìm thấy thủ tục nào${query ? ` cho “${query}”` : ""}. Hãy thử từ khóa ngắn hơn hoặc bỏ bộ lọc.`;
  let shown = 0;
  const more = document.createElement("button");
  more.type = "button";
  more.className = "portal-more";
  more.textContent = "Xem thêm kết quả";
  const showMore = async () => {
    const page = await Promise.all(search.results.slice(shown, shown + PAGE_SIZE).map((r) => r.data()));
    list.append(...page.map(resultItem));
    shown += page.length;
    if (shown >= total) more.remove();
  };
  more.addEventListener("click", showMore);
  await showMore();
  if (shown < total) list.after(more);
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
    status.textContent = "Không tải được bộ tìm kiếm. Vui lòng kiểm tra kết nối và thử lại.";
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(form, status, list).catch(showError);
  });
  form.elements.q.addEventListener("input", schedule);
  form.querySelectorAll("select").forEach((select) => select.addEventListener("change", schedule));
  if (params.size) run(form, status, list).catch(showError);
}
