// The support centre's figures on the statistics page (GET /statistics/support): one table, month by
// month, of calls, conversations, answers within the target, the median wait and satisfaction.
(function () {
  "use strict";
  var root = document.querySelector("[data-portal-support-stats]");
  if (!root) return;
  var meta = document.querySelector('meta[name="portal-api"]');
  var api = (meta && meta.content ? meta.content : "").replace(/\/$/, "");
  var NO_DATA = "Chưa có số liệu";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function monthLabel(month) { var p = month.split("-"); return p[1] + "/" + p[0]; }
  function percent(value) { return value == null ? NO_DATA : (value * 100).toFixed(1).replace(".", ",") + "%"; }
  function minutes(value) { return value == null ? NO_DATA : value.toLocaleString("vi-VN") + " phút"; }
  function number(value) { return (value || 0).toLocaleString("vi-VN"); }

  function render(series) {
    var target = series.answer_target_minutes / 60;
    var columns = [
      ["Cuộc gọi tổng đài", function (m) { return number(m.calls); }],
      ["Cuộc hỏi đáp trực tuyến", function (m) { return number(m.conversations); }],
      ["Trả lời trong " + target + " giờ", function (m) { return percent(m.answered_within_target_rate); }],
      ["Thời gian tới trả lời đầu tiên (trung vị)", function (m) { return minutes(m.median_first_answer_minutes); }],
      ["Tỉ lệ hài lòng", function (m) { return percent(m.satisfaction_rate); }]
    ];
    var caption = "Tổng đài và hỏi đáp trực tuyến theo tháng";
    var wrap = el("div", { class: "portal-stats__table", tabindex: "0", role: "region", "aria-label": caption });
    var table = el("table", { class: "portal-stats__grid" });
    table.appendChild(el("caption", {}, caption));
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Tháng"));
    columns.forEach(function (c) { head.appendChild(el("th", { scope: "col" }, c[0])); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    series.months.forEach(function (m) {
      var row = el("tr");
      row.appendChild(el("th", { scope: "row" }, monthLabel(m.month)));
      columns.forEach(function (c) { row.appendChild(el("td", {}, c[1](m))); });
      body.appendChild(row);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    root.textContent = "";
    root.appendChild(el("p", { class: "portal-stats__status" }, "Mục tiêu: trả lời đầu tiên trong " + target + " giờ; hài lòng gồm “rất hài lòng” và “hài lòng”."));
    root.appendChild(wrap);
  }

  fetch(api + "/statistics/support", { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(render)
    .catch(function () {
      root.textContent = "";
      root.appendChild(el("p", { class: "portal-stats__status", role: "alert" }, "Không tải được số liệu hỗ trợ. Vui lòng thử lại sau."));
    });
})();
