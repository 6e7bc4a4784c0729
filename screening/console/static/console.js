// txmon console: keyboard navigation and bulk selection. Everything works without it;
// this only adds j/k/Enter/x and "/" on tables whose rows carry data-href.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.grid tbody tr[data-href]"));
  var current = -1;
  function move(to) {
    if (!rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("current"); rows[current].removeAttribute("aria-selected"); }
    current = Math.max(0, Math.min(rows.length - 1, to));
    var row = rows[current];
    row.classList.add("current");
    row.setAttribute("aria-selected", "true");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
  }
  function countSelected() {
    var out = document.getElementById("selected-count");
    if (out) { out.textContent = String(document.querySelectorAll("input[name=alert]:checked").length); }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    if (event.key === "j" || event.key === "ArrowDown") { move(current + 1); event.preventDefault(); }
    else if (event.key === "k" || event.key === "ArrowUp") { move(current - 1); event.preventDefault(); }
    else if (event.key === "Enter" && current >= 0) { window.location.href = rows[current].getAttribute("data-href"); event.preventDefault(); }
    else if (event.key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box) { box.checked = !box.checked; countSelected(); }
      event.preventDefault();
    } else if (event.key === "/") {
      var first = document.querySelector("#filters select, #filters input:not([type=hidden])");
      if (first) { first.focus(); event.preventDefault(); }
    }
  });
  rows.forEach(function (row, i) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, input, button, select")) { return; }
      move(i);
    });
  });
  var all = document.getElementById("all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=alert]").forEach(function (box) { box.checked = all.checked; });
      countSelected();
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "alert") { countSelected(); }
  });
  var share = document.getElementById("share-link");
  if (share && navigator.clipboard) {
    share.addEventListener("click", function (event) {
      event.preventDefault();
      navigator.clipboard.writeText(window.location.href).then(function () { share.textContent = "Link copied"; });
    });
  }
})();
// Replay job page: poll the job's JSON (GET /v1/console/replays/{id}) every second while it
// runs, update the counts, and reload once it has finished to show its alerts.
(function () {
  "use strict";
  var box = document.getElementById("replay-job");
  if (!box || box.getAttribute("data-status") !== "running") { return; }
  var id = box.getAttribute("data-job");
  function set(name, value) {
    var el = document.getElementById(name);
    if (el) { el.textContent = String(value); }
  }
  function poll() {
    fetch("/v1/console/replays/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 3000); return; }
        set("job-status", job.status); set("job-blocks", job.blocks_done);
        set("job-transfers", job.transfers); set("job-alerts", job.alerts);
        var bar = document.getElementById("job-progress");
        if (bar) { bar.value = job.blocks_done; }
        if (job.status === "running") { window.setTimeout(poll, 1000); }
        else { window.location.reload(); }
      }, function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
// Flow graph: "Download PNG" rasterises the very SVG on the page in the browser (the SVG
// is self-contained: colours and fonts are attributes), at twice its size for print:
// serialised → data: URL image (the page's CSP allows data: images, not blob:) → canvas
// → toBlob. No library: the browser already has every piece.
(function () {
  "use strict";
  var button = document.getElementById("download-png");
  var svg = document.querySelector("figure.graph svg.flow");
  if (!button || !svg || !window.HTMLCanvasElement) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var scale = 2;
    var width = svg.width.baseVal.value, height = svg.height.baseVal.value;
    var text = new XMLSerializer().serializeToString(svg);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.ceil(width * scale);
      canvas.height = Math.ceil(height * scale);
      var context = canvas.getContext("2d");
      context.scale(scale, scale);
      context.drawImage(image, 0, 0, width, height);
      canvas.toBlob(function (blob) {
        if (!blob) { button.textContent = "PNG failed"; return; }
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.getAttribute("data-name") || "txmon-flow.png";
        document.body.appendChild(link);
        link.click();
        link.remove();
        window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
      }, "image/png");
    };
    image.onerror = function () { button.textContent = "PNG failed"; };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  });
})();
// Replay page: an NDJSON file read into the transfers box (in the browser; the form then
// posts it as if pasted, under the same limits).
(function () {
  "use strict";
  var input = document.getElementById("transfers-file");
  var box = document.getElementById("transfers");
  if (!input || !box || !window.FileReader) { return; }
  input.hidden = false;
  var label = document.querySelector("label[for=transfers-file]");
  if (label) { label.hidden = false; }
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) { return; }
    var reader = new FileReader();
    reader.onload = function () { box.value = String(reader.result); };
    reader.readAsText(file);
  });
})();
