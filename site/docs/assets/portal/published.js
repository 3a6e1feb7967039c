// Published answers, readable by anyone: an agency's answered complaints (GET /complaints/published,
// filtered by topic and words, newest first) and the answered questions about procedures
// (GET /questions/answers). Each list is shown ten at a time; the filter form is a plain GET form
// and the pages are links (?trang=2), so every view has an address that can be shared.
import { ApiError, agencies, api, site, when } from "./api.js";
import { agencyOptions, clearErrors, h, showErrors } from "./forms.js";

const PAGE_SIZE = 10;
const TOPICS = {
  "thu-tuc-hanh-chinh": "Thủ tục hành chính",
  "chat-luong-dich-vu": "Chất lượng dịch vụ công",
  "thai-do-can-bo": "Thái độ, hành vi của cán bộ, công chức",
  "co-che-chinh-sach": "Cơ chế, chính sách",
  khac: "Vấn đề khác",
};
const params = new URLSearchParams(location.search);
const form = document.querySelector("[data-portal-published]");

function pageOf(name, count) {
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const asked = Number.parseInt(params.get(name) || "1", 10);
  return { number: Math.min(Math.max(asked || 1, 1), pages), pages };
}

/** Links to the pages around the current one, each keeping the page's other parameters. */
function pager(nav, name, { number, pages }, anchor) {
  nav.hidden = pages < 2;
  if (pages < 2) return;
  const href = (n) => {
    const query = new URLSearchParams(params);
    query.set(name, String(n));
    return `?${query}#${anchor}`;
  };
  const items = [];
  if (number > 1) items.push(h("a", { href: href(number - 1) }, "Trang trước"));
  let last = 0;
  for (let n = 1; n <= pages; n += 1) {
    if (n !== 1 && n !== pages && Math.abs(n - number) > 2) continue;
    if (n - last > 1) items.push(h("span", { "aria-hidden": "true" }, "…"));
    items.push(n === number ? h("span", { "aria-current": "page" }, `Trang ${n}`) : h("a", { href: href(n) }, `Trang ${n}`));
    last = n;
  }
  if (number < pages) items.push(h("a", { href: href(number + 1) }, "Trang sau"));
  nav.replaceChildren(h("ul", {}, ...items.map((item) => h("li", {}, item))));
}

function slice(items, page) {
  return items.slice((page.number - 1) * PAGE_SIZE, page.number * PAGE_SIZE);
}

function answered(item, names) {
  const agency = names.get(item.answer.agency_id)?.name || item.answer.agency_id;
  return h(
    "article",
    { class: "portal-complaint" },
    h("h3", {}, item.title),
    h("p", { class: "portal-count" }, `${item.code} · ${TOPICS[item.topic] || item.topic} · công khai ngày ${when(item.published_at)}`),
    h("p", { class: "portal-text" }, item.content),
    h("div", { class: "portal-answer" }, h("h4", {}, `Trả lời của ${agency}`), h("p", { class: "portal-text" }, item.answer.text)),
  );
}

async function complaints(names) {
  const status = document.querySelector("[data-portal-published-status]");
  const list = document.querySelector("[data-portal-published-list]");
  const agency = (params.get("co-quan") || "").trim().toUpperCase();
  agencyOptions(form.elements["co-quan"], names, agency);
  form.elements["chu-de"].value = TOPICS[params.get("chu-de")] ? params.get("chu-de") : "";
  form.elements["tu-khoa"].value = params.get("tu-khoa") || "";
  if (!agency) return;
  const query = new URLSearchParams({ agency });
  if (form.elements["chu-de"].value) query.set("topic", form.elements["chu-de"].value);
  if (form.elements["tu-khoa"].value.trim()) query.set("q", form.elements["tu-khoa"].value.trim());
  status.textContent = "Đang tải câu trả lời…";
  try {
    const { items } = await api(`/complaints/published?${query}`);
    const page = pageOf("trang", items.length);
    const name = names.get(agency)?.name || agency;
    list.replaceChildren(...slice(items, page).map((item) => h("li", {}, answered(item, names))));
    status.textContent = items.length
      ? `${name}: ${items.length} câu trả lời${page.pages > 1 ? `, trang ${page.number}/${page.pages}` : ""}.`
      : `${name} chưa có câu trả lời nào được công khai${query.has("topic") || query.has("q") ? " khớp với điều kiện lọc" : ""}.`;
    pager(document.querySelector("[data-portal-published-pager]"), "trang", page, "phan-anh-kien-nghi");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = error.message;
  }
}

async function questions() {
  const status = document.querySelector("[data-portal-questions-status]");
  const list = document.querySelector("[data-portal-questions-list]");
  status.textContent = "Đang tải câu hỏi đã được trả lời…";
  try {
    const entries = (await api("/questions/answers")).entries.slice().reverse(); // newest first
    const page = pageOf("trang-hoi-dap", entries.length);
    list.replaceChildren(
      ...slice(entries, page).map((entry) =>
        h(
          "li",
          {},
          h(
            "article",
            { class: "portal-complaint" },
            h("h3", {}, entry.question),
            h("p", { class: "portal-count" }, "Thủ tục ", h("a", { href: site(`thu-tuc/${entry.procedure.replace(/\./g, "-").toLowerCase()}/`) }, entry.procedure)),
            h("div", { class: "portal-answer" }, h("h4", {}, "Trả lời"), h("p", { class: "portal-text" }, entry.answer)),
          ),
        ),
      ),
    );
    status.textContent = entries.length
      ? `${entries.length} câu hỏi đã được trả lời${page.pages > 1 ? `, trang ${page.number}/${page.pages}` : ""}.`
      : "Chưa có câu hỏi nào được trả lời và công khai.";
    pager(document.querySelector("[data-portal-questions-pager]"), "trang-hoi-dap", page, "cau-hoi");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = error.message;
  }
}

form.addEventListener("submit", (event) => {
  const alert = form.querySelector("[data-portal-alert]");
  clearErrors(form, alert);
  if (!form.elements["co-quan"].value) {
    event.preventDefault();
    showErrors(alert, [{ field: form.elements["co-quan"], message: "Hãy chọn cơ quan để xem câu trả lời." }]);
  }
});
agencies().then(complaints);
questions();
