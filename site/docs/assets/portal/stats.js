// The statistics page: fetch the API's monthly series and show, for each indicator, a bar chart
// (decorative, aria-hidden) and the same figures as a table for screen readers and copying.
(function () {
  "use strict";
  var root = document.querySelector("[data-portal-stats]");
  if (!root) return;
  var meta = document.querySelector('meta[name="portal-api"]');
  var api = (meta && meta.content ? meta.content : "").replace(/\/$/, "");
  var params = new URLSearchParams(window.location.search);
  var agency = (params.get("co-quan") || "").trim().toUpperCase();
  var field = document.getElementById("portal-stats-agency");
  if (field) field.value = agency;

  var INDICATORS = [
    ["on_time_rate", "Tỉ lệ hồ sơ giải quyết đúng hạn"],
    ["online_submission_rate", "Tỉ lệ hồ sơ nộp trực tuyến"],
    ["online_payment_rate", "Tỉ lệ thanh toán trực tuyến nghĩa vụ tài chính"],
    ["satisfaction_rate", "Tỉ lệ người dân, doanh nghiệp hài lòng"],
    ["complaint_on_time_rate", "Tỉ lệ phản ánh, kiến nghị được trả lời đúng hạn"]
  ];
  var COUNTS = [
    ["dossiers_online", "Hồ sơ nộp trực tuyến"],
    ["dossiers_synced", "Hồ sơ đồng bộ từ cơ quan"],
    ["dossiers_finished", "Hồ sơ đã giải quyết"],
    ["payments_count", "Giao dịch thanh toán"],
    ["payments_amount", "Số tiền thanh toán (đồng)"],
    ["complaints_received", "Phản ánh, kiến nghị tiếp nhận"],
    ["accounts_registered", "Tài khoản đăng ký mới"]
  ];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function monthLabel(month) { var p = month.split("-"); return p[1] + "/" + p[0]; }
  function percent(value) { return value === null ? "Chưa có số liệu" : (value * 100).toFixed(1).replace(".", ",") + "%"; }
  function number(value) { return value.toLocaleString("vi-VN"); }

  function chart(months, key) {
    var svgNS = "http://www.w3.org/2000/svg";
    var width = 320, height = 140, gap = 4, bar = (width - gap * (months.length + 1)) / months.length;
    var svg = document.createElementNS(svgNS, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("class", "portal-stats__chart");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    months.forEach(function (m, i) {
      var value = m.indicators[key];
      var h = value === null ? 0 : Math.max(2, value * (height - 20));
      var rect = document.createElementNS(svgNS, "rect");
      rect.setAttribute("x", gap + i * (bar + gap));
      rect.setAttribute("y", height - 16 - h);
      rect.setAttribute("width", bar);
      rect.setAttribute("height", h);
      svg.appendChild(rect);
      if (i % 3 === 0 || months.length <= 6) {
        var label = document.createElementNS(svgNS, "text");
        label.setAttribute("x", gap + i * (bar + gap));
        label.setAttribute("y", height - 2);
        label.textContent = monthLabel(m.month);
        svg.appendChild(label);
      }
    });
    return svg;
  }

  function table(months, caption, rows) {
    // A wide table scrolls sideways on a phone: the region takes keyboard focus so it can be scrolled.
    var wrap = el("div", { class: "portal-stats__table", tabindex: "0", role: "region", "aria-label": caption });
    var t = el("table", { class: "portal-stats__grid" });
    t.appendChild(el("caption", {}, caption));
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, "Tháng"));
    rows.forEach(function (row) { head.appendChild(el("th", { scope: "col" }, row[1])); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var body = el("tbody");
    months.forEach(function (m) {
      var tr = el("tr");
      tr.appendChild(el("th", { scope: "row" }, monthLabel(m.month)));
      rows.forEach(function (row) { tr.appendChild(el("td", {}, row[2](m))); });
      body.appendChild(tr);
    });
    t.appendChild(body);
    wrap.appendChild(t);
    return wrap;
  }

  function render(series) {
    root.textContent = "";
    var scope = series.scope === "all" ? "Toàn quốc" : "Cơ quan " + series.scope;
    root.appendChild(el("p", { class: "portal-stats__status" }, scope + ", " + series.months.length + " tháng gần nhất."));
    INDICATORS.forEach(function (item) {
      var section = el("section", { class: "portal-stats__indicator" });
      section.appendChild(el("h2", {}, item[1]));
      var latest = series.months[series.months.length - 1];
      section.appendChild(el("p", { class: "portal-stats__latest" }, "Tháng " + monthLabel(latest.month) + ": " + percent(latest.indicators[item[0]])));
      section.appendChild(chart(series.months, item[0]));
      section.appendChild(table(series.months, item[1] + " theo tháng", [[item[0], "Tỉ lệ", function (m) { return percent(m.indicators[item[0]]); }]]));
      root.appendChild(section);
    });
    var counts = el("section", { class: "portal-stats__indicator" });
    counts.appendChild(el("h2", {}, "Số lượng theo tháng"));
    counts.appendChild(table(series.months, "Số lượng hồ sơ, thanh toán, phản ánh và tài khoản theo tháng",
      COUNTS.map(function (c) { return [c[0], c[1], function (m) { return number(m.counts[c[0]] || 0); }]; })));
    root.appendChild(counts);
  }

  var path = agency ? "/statistics/agencies/" + encodeURIComponent(agency) : "/statistics/overview";
  fetch(api + path, { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(render)
    .catch(function () {
      root.textContent = "";
      root.appendChild(el("p", { class: "portal-stats__status", role: "alert" }, "Không tải được số liệu thống kê. Vui lòng thử lại sau."));
    });
})();
