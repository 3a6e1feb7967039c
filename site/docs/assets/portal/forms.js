// Form helpers for the pages that send something to the API: each error is written next to its
// field (tied to it by aria-describedby, the field marked aria-invalid), listed in the form's alert
// region, and focus goes to the first field to fix. What was typed is never cleared. The alert and
// status regions stay in the page, empty, so that screen readers announce what is written into them.
//
// Markup each field follows (the error paragraph is created when first needed):
//   <label for="x">…</label> <p class="portal-hint" id="x-hint">…</p> <input id="x" aria-describedby="x-hint">

/** The submit button is disabled in the HTML (nothing can be sent without JavaScript); enable it. */
export function enable(form) {
  for (const button of form.querySelectorAll("button[data-portal-needs-js]")) button.disabled = false;
}

function errorOf(field) {
  const id = `${field.id}-error`;
  let error = document.getElementById(id);
  if (!error) {
    error = document.createElement("p");
    error.className = "portal-error";
    error.id = id;
    const anchor = field.closest(".portal-field") || field.parentElement;
    const control = [...anchor.children].find((child) => child === field || child.contains(field));
    anchor.insertBefore(error, control || null);
  }
  return error;
}

function described(field, ids) {
  const rest = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== `${field.id}-error`);
  const value = [...ids, ...rest].join(" ");
  if (value) field.setAttribute("aria-describedby", value);
  else field.removeAttribute("aria-describedby");
}

/** Mark one field wrong, with its message right above it. */
export function markInvalid(field, message) {
  const error = errorOf(field);
  error.textContent = message;
  error.hidden = false;
  field.setAttribute("aria-invalid", "true");
  described(field, [error.id]);
}

/** Clear every field error and the form's alert region. */
export function clearErrors(form, alert) {
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
    described(field, []);
    const error = document.getElementById(`${field.id}-error`);
    if (error) error.hidden = true;
  }
  if (alert) alert.replaceChildren();
}

/**
 * Show a list of {field, message}: each next to its field, all of them in the alert region (as links
 * to the fields), and focus on the first field.
 */
export function showErrors(alert, errors) {
  for (const { field, message } of errors) markInvalid(field, message);
  const heading = document.createElement("p");
  heading.textContent = errors.length === 1 ? "Có 1 mục cần sửa:" : `Có ${errors.length} mục cần sửa:`;
  const list = document.createElement("ul");
  for (const { field, message } of errors) {
    const link = document.createElement("a");
    link.href = `#${field.id}`;
    link.textContent = message;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      field.focus();
    });
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  alert.replaceChildren(heading, list);
  errors[0].field.focus();
}

/** A message for the whole form (not one field) in its alert region, e.g. "not found" or "try later". */
export function showProblem(alert, ...parts) {
  const paragraph = document.createElement("p");
  paragraph.append(...parts);
  alert.replaceChildren(paragraph);
}

/** While a request runs: the button says so and cannot be pressed twice. */
export function busy(button, on, label = "Đang gửi…") {
  if (on) {
    button.dataset.label = button.textContent;
    button.textContent = label;
    button.disabled = true;
  } else {
    button.textContent = button.dataset.label || button.textContent;
    button.disabled = false;
  }
}

/** "thử lại lúc 14:20" from a Retry-After in seconds, for throttled requests. */
export function retryTime(seconds) {
  const at = new Date(Date.now() + seconds * 1000);
  return at.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
}

/** Create an element with attributes and text (or child nodes). */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== undefined && child !== null && child !== false && child !== ""));
  return node;
}

const LEVELS = [
  ["ministry", "Cơ quan trung ương"],
  ["province", "Cấp tỉnh"],
  ["commune", "Cấp xã"],
  ["vertical", "Cơ quan ngành dọc"],
  ["other", "Tổ chức khác"],
];

/** Fill a <select> with the catalogue's agencies (a Map from api.js `agencies()`), grouped by level. */
export function agencyOptions(select, names, selected = "") {
  for (const [level, label] of LEVELS) {
    const group = h("optgroup", { label });
    for (const agency of names.values()) {
      if (agency.level === level) group.append(h("option", { value: agency.code }, agency.name));
    }
    if (group.children.length) select.append(group);
  }
  if (selected && names.has(selected)) select.value = selected;
}
