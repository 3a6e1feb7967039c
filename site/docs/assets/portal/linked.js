// Group dossiers (liên thông): one timeline of steps, each with its agency, status, due date and (for
// the owner) results; used by the dossier page, the lookup page and the group submission page.
import { day, when } from "./api.js";
import { h } from "./forms.js";

export const GROUP_CODE = /^LT-\d{6}-\d{4,6}$/;

function stepLine(step, full) {
  const parts = [
    h("strong", {}, step.role),
    ` — ${step.agency_name || step.agency_id}. `,
    h("span", { class: `portal-step portal-step--${step.state}` }, step.state_label),
  ];
  if (step.status_label && step.state === "in_progress") parts.push(` (${step.status_label})`);
  parts.push(". ", `Mã hồ sơ của bước: `, h("span", { class: "portal-code" }, step.code), ".");
  if (step.due_date) parts.push(` Hạn: ${day(step.due_date)}${step.overdue ? ` — đã quá hạn, ${step.agency_name || step.agency_id} đang chậm` : ""}.`);
  if (step.reason) parts.push(" ", step.reason);
  if (full && step.if_refused) parts.push(h("br"), h("em", {}, `Bạn vẫn nhận được và cần làm: ${step.if_refused}`));
  if (full && step.results?.length) {
    parts.push(
      h(
        "ul",
        { class: "portal-list" },
        ...step.results.map((result) =>
          h("li", {}, result.name, result.number ? ` số ${result.number}` : "", ` (${when(result.attached_at)})`),
        ),
      ),
    );
  }
  return h("li", { "data-portal-step": step.step }, ...parts);
}

/** Fill `container` (holding [data-portal-group-*] parts) with a group as the API answered it. */
export function renderGroup(container, group) {
  const full = "results_held" in group; // the owner's view, not the public tracking
  container.querySelector("[data-portal-group-title]").textContent = `Hồ sơ liên thông ${group.code}`;
  const facts = [
    ["Nhóm thủ tục", group.name],
    ["Tình trạng", group.status_label],
    ["Nộp lúc", when(group.submitted_at)],
    ["Hạn tổng", group.due_date ? day(group.due_date) : "Chưa có"],
  ];
  container.querySelector("[data-portal-group-facts]").replaceChildren(
    ...facts.map(([term, value]) => h("div", {}, h("dt", {}, term), h("dd", {}, value))),
  );
  container.querySelector("[data-portal-group-steps]").replaceChildren(...group.steps.map((step) => stepLine(step, full)));
  const note = container.querySelector("[data-portal-group-note]");
  if (note) {
    const lines = [];
    if (full && group.results_held) lines.push("Kết quả của nhóm này được trả cùng lúc khi mọi bước đã xong.");
    if (full) lines.push(...group.to_do);
    note.replaceChildren(...lines.map((line) => h("p", {}, line)));
  }
  container.hidden = false;
}
