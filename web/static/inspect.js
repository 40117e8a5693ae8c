// The inspector's behaviour: the clock buttons (through the admin API, with JSON,
// which its cross-site guard requires) and, on the flow list, polling for new flows.
// Values go into the page with textContent only: they came from requests.
// samlsim's words come from the page's data-* attributes, in the page's language.
(function () {
  "use strict";
  const status = document.getElementById("clock-status");
  async function moveClock(body) {
    const response = await fetch("/_admin/clock", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      status.textContent = status.dataset.failed + (answer.error ? answer.error.message : response.status);
      return;
    }
    document.getElementById("clock-now").textContent = answer.now;
    status.textContent = status.dataset.moved + answer.now + ".";
  }
  document.querySelectorAll("[data-advance]").forEach((button) => {
    button.addEventListener("click", () => moveClock({ advance: button.dataset.advance }));
  });
  document.querySelectorAll("[data-reset]").forEach((button) => {
    button.addEventListener("click", () => moveClock({ reset: true }));
  });

  const table = document.getElementById("flows");
  if (!table) return;
  async function refresh() {
    const response = await fetch("/_inspect/flows.json");
    if (!response.ok) return;
    const { flows } = await response.json();
    const body = table.querySelector("tbody");
    const rows = flows.map((f) => {
      const tr = document.createElement("tr");
      tr.dataset.flow = f.flow;
      const cell = (text, code) => {
        const td = document.createElement("td");
        const inner = document.createElement(code ? "code" : "span");
        inner.textContent = text;
        td.appendChild(inner);
        tr.appendChild(td);
        return td;
      };
      cell(f.started, false);
      cell(f.user || table.dataset.notSignedIn, Boolean(f.user));
      const outcome = cell(table.dataset["outcome" + f.outcome.charAt(0).toUpperCase() + f.outcome.slice(1)] || f.outcome, false);
      outcome.firstChild.className = "outcome outcome-" + f.outcome;
      if (f.rule) {
        const rule = document.createElement("code");
        rule.textContent = f.rule;
        outcome.append(" ", rule);
      }
      cell(f.stopped_at || "", false);
      const link = document.createElement("a");
      link.href = "/_inspect/flow/" + encodeURIComponent(f.flow);
      link.textContent = table.dataset.open + f.flow;
      const td = document.createElement("td");
      td.appendChild(link);
      tr.appendChild(td);
      return tr;
    });
    body.replaceChildren(...rows);
    const none = document.getElementById("no-flows");
    if (none && flows.length) none.hidden = true;
  }
  setInterval(refresh, 2000);
})();

// Failure switches (demo panel): the admin API flips them, with JSON.
(function () {
  "use strict";
  const status = document.getElementById("switch-status");
  document.querySelectorAll("input[data-switch]").forEach((box) => {
    box.addEventListener("change", async () => {
      const response = await fetch("/_admin/demo/switches", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ switch: box.dataset.switch, on: box.checked }),
      });
      const answer = await response.json();
      if (!response.ok) {
        box.checked = !box.checked;
        status.textContent = status.dataset.failed + (answer.error ? answer.error.message : response.status);
        return;
      }
      status.textContent = (box.checked ? status.dataset.on : status.dataset.off) + box.parentElement.textContent.trim() +
        (box.checked ? status.dataset.onAfter : status.dataset.offAfter);
    });
  });
})();

// Presenter layout: the timeline one step at a time, "Next step" shows the next;
// a decoded SAML message appears with the exchange that carried it.
(function () {
  "use strict";
  const next = document.getElementById("next-step");
  if (!next) return;
  const rows = Array.from(document.querySelectorAll("#timeline tbody tr"));
  const messages = Array.from(document.querySelectorAll("section.message[data-row]"));
  const failed = document.getElementById("failed-check");
  const count = document.getElementById("step-count");
  let shown = 1;
  function show() {
    rows.forEach((row, i) => { row.hidden = i >= shown; });
    const reached = new Set(rows.slice(0, shown).map((row) => row.dataset.row));
    messages.forEach((message) => { message.hidden = !reached.has(message.dataset.row); });
    const done = shown >= rows.length;
    if (failed) failed.hidden = !done;
    document.body.classList.toggle("revealed", done);
    rows[Math.min(shown, rows.length) - 1]?.scrollIntoView({ block: "center" });
    next.disabled = done;
    count.textContent = `${Math.min(shown, rows.length)}${count.dataset.of}${rows.length}` + (done ? count.dataset.whole : "");
  }
  next.addEventListener("click", () => { shown += 1; show(); });
  show();
})();
