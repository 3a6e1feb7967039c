// The support centre on the account page: "who looked at my dossiers" (GET /accounts/me/data-accesses)
// and the questions I asked operators while signed in (GET /support/conversations/mine), newest first.
import { ApiError, api, session, site, when } from "./api.js";
import { h } from "./forms.js";
import { dossierUrl } from "./dossiers.js";

const WHO = { agency: "Cơ quan giải quyết", operator: "Tổng đài viên", supervisor: "Giám sát viên tổng đài" };
const section = document.querySelector("[data-portal-accesses]");
const status = section.querySelector("[data-portal-status]");
const list = section.querySelector("[data-portal-list]");

async function load() {
  status.textContent = "Đang tải nhật ký truy cập…";
  try {
    const { accesses } = await api("/accounts/me/data-accesses", { auth: true });
    list.replaceChildren(
      ...accesses.map((entry) =>
        h(
          "li",
          {},
          h("time", { datetime: entry.at }, when(entry.at)),
          " — ",
          h("strong", {}, `${WHO[entry.actor_kind] || entry.actor_kind} ${entry.actor}`),
          " xem hồ sơ ",
          h("a", { href: dossierUrl(entry.dossier_code) }, entry.dossier_code),
          h("span", { class: "portal-meta" }, `Lý do: ${entry.reason}`),
        ),
      ),
    );
    status.textContent = accesses.length ? `${accesses.length} lần xem gần nhất.` : "Chưa có ai ngoài bạn xem hồ sơ của bạn.";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    status.textContent = error.status === 401 ? "" : `Không tải được nhật ký truy cập: ${error.message}`;
  }
}

const STATES = { waiting: "Đang chờ trả lời", answered: "Đã có trả lời", closed: "Đã kết thúc" };
const asked = document.querySelector("[data-portal-conversations]");

async function loadConversations() {
  const askedStatus = asked.querySelector("[data-portal-status]");
  askedStatus.textContent = "Đang tải câu hỏi của bạn…";
  try {
    const { items } = await api("/support/conversations/mine", { auth: true });
    asked.querySelector("[data-portal-list]").replaceChildren(
      ...items.map((item) =>
        h(
          "li",
          {},
          h("a", { href: site(`ho-tro/hoi-thoai/?ma=${encodeURIComponent(item.code)}`) }, h("span", { class: "portal-code" }, item.code)),
          h("span", { class: "portal-meta" }, `${STATES[item.status] || item.status} · Gửi lúc ${when(item.created_at)}`),
          h("span", { class: "portal-meta" }, item.messages[0]?.text.slice(0, 120) || ""),
        ),
      ),
    );
    askedStatus.textContent = items.length ? "" : "Bạn chưa gửi câu hỏi nào khi đăng nhập.";
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    askedStatus.textContent = error.status === 401 ? "" : `Không tải được câu hỏi: ${error.message}`;
  }
}

if (session()) {
  load();
  loadConversations();
}
