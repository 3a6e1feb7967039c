// Linked processing (liên thông) on the statistics page (GET /statistics/linked): the month's group
// dossiers, and for each agency its linked steps finished on time and late, the latest first.
(function () {
  "use strict";
  var root = document.querySelector("[data-portal-linked-stats]");
  if (!root) return;
  var meta = document.querySelector('meta[name="portal-api"]');
  var api = (meta && meta.content ? meta.content : "").replace(/\/$/, "");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function number(value) { return (value || 0).toLocaleString("vi-VN"); }
  function rate(onTime, late) {
    var total = onTime + late;
    return total ? ((onTime / total) * 100).toFixed(1).replace(".", ",") + "%" : "Chưa có số liệu";
  }

  function render(report) {
    var parts = report.month.split("-");
    var month = parts[1] + "/" + parts[0];
    root.textContent = "";
    root.appendChild(el("p", {}, "Tháng " + month + ": " + number(report.groups) + " hồ sơ liên thông được nộp."));
    if (!report.agencies.length) {
      root.appendChild(el("p", { class: "portal-stats__status" }, "Chưa có bước liên thông nào hoàn thành trong tháng."));
      return;
    }
    var caption = "Bước liên thông hoàn thành theo cơ quan, tháng " + month;
    var wrap = el("div", { class: "portal-stats__table", tabindex: "0", role: "region", "aria-label": caption });
    var table = el("table", { class: "portal-stats__grid" });
    table.appendChild(el("caption", {}, caption));
    var head = el("tr");
    ["Cơ quan", "Đúng hạn", "Trễ hạn", "Tỉ lệ đúng hạn"].forEach(function (name) {
      head.appendChild(el("th", { scope: "col" }, name));
    });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    report.agencies.forEach(function (agency) {
      var row = el("tr");
      row.appendChild(el("th", { scope: "row" }, agency.agency_id));
      row.appendChild(el("td", {}, number(agency.on_time)));
      row.appendChild(el("td", {}, number(agency.late)));
      row.appendChild(el("td", {}, rate(agency.on_time, agency.late)));
      body.appendChild(row);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    root.appendChild(wrap);
  }

  fetch(api + "/statistics/linked", { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(render)
    .catch(function () {
      root.textContent = "";
      root.appendChild(el("p", { class: "portal-stats__status", role: "alert" }, "Không tải được số liệu liên thông. Vui lòng thử lại sau."));
    });
})();
