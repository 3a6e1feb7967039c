// Search page: runs Pagefind on the query folded to ASCII (the index holds a folded copy of
// every searchable field, so "dang ky" finds "Đăng ký"). The form is a plain GET form, so the
// URL always says what was searched and the back button works.
//
// Offline, the service worker (catalog_build/pwa.py) serves the index it keeps; a result whose
// details (Pagefind fragment) were never loaded cannot be shown, and the status says so.
const PAGE_SIZE = 20;
const RERANKED = PAGE_SIZE; // results whose details load first (they are shown anyway) to be ordered by their names
const OFFLINE_PAGE_SIZE = 200; // offline, missing details fail at once: show every kept result
const siteRoot = new URL("../../", import.meta.url);
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

// Words, folded and lower case: what the index holds ("Làm CCCD?" -> "lam cccd").
export function words(text) {
  return fold(text).toLowerCase().replace(/[^a-z0-9.]+/g, " ").trim();
}

// Rewrites ("lam" -> "cap"), stop words ("thu tuc") and known phrases ("so do" -> "sodo", which
// the index holds for every name that mentions "quyền sử dụng đất") from data/search/synonyms.yaml,
// as the build writes them. Each applies to whole words only; `rewrites: false` keeps the words.
export function rewrite(query, rules, { rewrites = true } = {}) {
  let padded = ` ${query} `;
  const replace = (from, to) => {
    // Twice, so that adjacent matches (" a a ") both change: a match consumes the space between them.
    for (let i = 0; i < 2; i++) padded = padded.split(` ${from} `).join(` ${to} `);
  };
  if (rewrites) for (const [from, to] of rules.rewrites) replace(from, to);
  for (const stop of rules.stopwords) replace(stop, "");
  for (const phrase of rules.phrases || []) replace(phrase, phrase.replaceAll(" ", ""));
  return padded.replace(/\s+/g, " ").trim();
}

const NO_RULES = { rewrites: [], stopwords: [], phrases: [], common: [] };
let rulesLoaded;
function queryRules() {
  rulesLoaded ??= fetch(new URL("tim-kiem/tu-dong-nghia.json", siteRoot))
    .then((response) => (response.ok ? response.json() : NO_RULES))
    .catch(() => NO_RULES);
  return rulesLoaded;
}

// The index is split into shards (catalog_build/search_index.py): pagefind/ holds the first, with
// Pagefind's loader and WebAssembly, and pagefind/shards.json lists the others, which are merged
// into it (they share its WebAssembly) and searched with it. The list is fetched beside the loader.
let engineLoaded;
function engine() {
  engineLoaded ??= loadEngine().catch((error) => {
    engineLoaded = undefined; // the next search tries again
    throw error;
  });
  return engineLoaded;
}

async function loadEngine() {
  const [search, shards] = await Promise.all([import(new URL("pagefind/pagefind.js", siteRoot).href), shardList()]);
  try {
    // The code is for display and for queries that are a code: it must not rank.
    const options = { baseUrl: siteRoot.pathname, ranking: { metaWeights: { title: 5.0, code: 0.0 } } };
    // noWorker: the index is small, so searching on the page costs nothing a phone notices, and it
    // saves downloading Pagefind's worker script (12 KB) before the first result.
    await search.options({ ...options, noWorker: true });
    // An empty query settles once the first shard has loaded or failed to: a merge waits for its
    // WebAssembly without end, so without this a failed load would leave the page searching.
    const first = search.search("");
    const merged = shards.map((folder) => search.mergeIndex(new URL(`pagefind/${folder}`, siteRoot).pathname, options));
    await Promise.all([first, ...merged]);
  } catch (error) {
    await search.destroy(); // so that trying again does not merge a shard twice
    throw error;
  }
  return search;
}

async function shardList() {
  // A fresh list every time, as Pagefind fetches its entry files (`ts` is ignored offline).
  const response = await fetch(new URL(`pagefind/shards.json?ts=${Date.now()}`, siteRoot));
  if (!response.ok) throw new Error(`pagefind/shards.json: ${response.status}`);
  return (await response.json()).shards;
}

// The rewritten query first; when it finds fewer than three procedures, the query as typed too,
// its results after the first ones (a rewrite can miss: "làm việc" is not "cấp việc"). The first
// RERANKED results are then ordered by how well their name answers the query (rank()).
async function find(query, filters) {
  const [search, rules] = await Promise.all([engine(), query ? queryRules() : NO_RULES]);
  if (!query) return (await search.search(null, { filters })).results;
  const typed = words(query);
  const rewritten = rewrite(typed, rules) || typed;
  const plain = rewrite(typed, rules, { rewrites: false }) || typed;
  let found = (await search.search(lighten(rewritten, new Set(rules.common || [])), { filters })).results;
  const add = (more) => {
    const seen = new Set(found.map((r) => r.id));
    found = [...found, ...more.filter((r) => !seen.has(r.id))];
  };
  if (found.length < 3 && plain !== rewritten) add((await search.search(plain, { filters })).results);
  if (!found.length) add(await leaveOut(search, rewritten.split(" "), 1, filters));
  if (!found.length) add(await leaveOut(search, rewritten.split(" "), 2, filters));
  const results = found.map((r) => ({ id: r.id, data: memo(r.data) }));
  const head = results.slice(0, RERANKED);
  const loaded = await Promise.allSettled(head.map((r) => r.data()));
  const terms = rewritten.split(" ");
  const keyed = head.map((r, index) => {
    const ok = loaded[index].status === "fulfilled";
    return { r, index, key: ok ? rank(terms, loaded[index].value, rules) : [0, 0, 0] };
  });
  keyed.sort((a, b) => b.key[0] - a.key[0] || b.key[1] - a.key[1] || b.key[2] - a.key[2] || a.index - b.index);
  return [...keyed.map((k) => k.r), ...results.slice(RERANKED)];
}

// Nothing has every word ("đổi cmnd sang căn cước"): what has all but `drop` of them, best scores
// first. The index chunks of every word are loaded already, so these searches download nothing.
async function leaveOut(search, terms, drop, filters) {
  const kept = terms.slice(0, 6);
  if (kept.length <= drop) return [];
  const subsets = drop === 1 ? kept.map((_, i) => [i]) : kept.flatMap((_, i) => kept.slice(i + 1).map((__, j) => [i, i + 1 + j]));
  const runs = await Promise.all(
    subsets.map((skip) => search.search(kept.filter((_, i) => !skip.includes(i)).join(" "), { filters })),
  );
  const best = new Map();
  for (const result of runs.flatMap((run) => run.results)) {
    if (!best.has(result.id) || best.get(result.id).score < result.score) best.set(result.id, result);
  }
  return [...best.values()].sort((a, b) => b.score - a.score);
}

// Words in more than one name in seven (the build lists them, most common first) carry the
// biggest postings a query downloads, and narrow little. In a query of three words or more, or
// beside two rarer words, Pagefind is asked for the rarer words only; the re-ordering by name
// (rank) still weighs every word, so "cấp giấy phép lái xe" still puts "Cấp …" first.
export function lighten(query, common) {
  const terms = query.split(" ");
  const rare = terms.filter((term) => !common.has(term));
  const worth = rare.length >= 1 && rare.length < terms.length && (terms.length >= 3 || rare.length >= 2);
  if (worth) return rare.join(" ");
  if (rare.length || terms.length < 3) return query;
  // Every word is common ("cấp giấy phép"): the two least common of them.
  const order = [...common];
  return [...terms].sort((a, b) => order.indexOf(b) - order.indexOf(a)).slice(0, 2).join(" ");
}

function memo(load) {
  let promise;
  return () => (promise ??= load());
}

// Title match beats body match, exact beats partial, specific beats long: [share of the query's
// words in the name (synonyms of the name count), 1 if the name holds the query as a phrase,
// share of the name's words that the query names]. The last query word may be unfinished.
export function rank(query, data, rules = NO_RULES) {
  const title = ` ${rewrite(words(data.meta.title || ""), rules, { rewrites: false })} `;
  const name = words(display(data).name.replace(/\([^)]*\)/g, " ")); // "(thực hiện tại cấp tỉnh)" says no more
  const has = (word, last) => title.includes(` ${word} `) || (last && title.includes(` ${word}`));
  const matched = query.filter((word, index) => has(word, index === query.length - 1)).length;
  const phrase = title.includes(` ${query.join(" ")}`) ? 1 : 0;
  return [matched / query.length, phrase, matched / Math.max(name.split(" ").length, 1)];
}

// What a result shows comes as filters ("_name", "_info", "_agency"), which Pagefind does not
// index for search (catalog_build/search_index.py says why).
function display(data) {
  const first = (key) => (data.filters?.[key] || [])[0] || "";
  return { name: first("_name") || data.meta.title, info: first("_info"), agency: first("_agency") };
}

function resultItem(data) {
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = data.url.replace(/\.html$/, "/"); // stubs are flat files; pages are folders
  const shown = display(data);
  link.textContent = shown.name;
  const info = document.createElement("span");
  info.className = "portal-result__info";
  info.textContent = `${data.meta.code} · ${shown.info}`;
  item.append(link, info);
  if (shown.agency) {
    const agency = document.createElement("span");
    agency.className = "portal-result__agency";
    agency.textContent = shown.agency;
    item.append(agency);
  }
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
  const results = await find(query, filters);
  if (form.elements.q.value.trim() !== query) return; // a newer query is on its way
  const total = results.length;
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
    const batch = results.slice(tried, tried + size);
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
