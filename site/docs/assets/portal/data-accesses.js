// "Who looked at my dossiers" on the account page: GET /accounts/me/data-accesses, newest first.
import { ApiError, api, session, when } from "./api.js";
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

if (session()) load();
