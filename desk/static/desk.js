/*
 * Agent desk: the live parts of the pages (plain JS, no framework).
 *
 * Queue page: refreshes the table every 3 s from /api/desk/queue.
 * Conversation page: polls /api/desk/handoffs/{id} every 1.5 s for the live
 * transcript (read by the desk from Rasa's tracker) and sends replies without
 * reloading. Every text from the server is inserted with textContent, never
 * as HTML: it is customer text. POSTs carry the CSRF token from the page's
 * <meta name="csrf-token">.
 */
(function () {
  "use strict";

  var QUEUE_MS = 3000;
  var LIVE_MS = 1500;
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 401) {
          window.location.assign("/login");
          throw new Error("sin sesión");
        }
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.message || ("HTTP " + response.status));
          return body;
        });
      });
  }

  function timeOf(stamp) {
    if (!stamp) return "";
    var d = new Date(stamp * 1000);
    try {
      return new Intl.DateTimeFormat("es-CO", {
        hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: "America/Bogota"
      }).format(d);
    } catch (e) {
      return d.toLocaleTimeString();
    }
  }

  // ------------------------------------------------------------------ queue

  function queueRow(h) {
    var tr = el("tr", "handoff handoff--" + h.status + (h.priority === "1" ? " handoff--p1" : ""));
    tr.setAttribute("data-handoff-id", String(h.id));
    var status = el("td");
    status.appendChild(el("span", "status status--" + h.status, h.status_label));
    var priority = el("td");
    priority.appendChild(el("span", "priority priority--" + (h.priority === "1" ? "p1" : "normal"), h.priority_label));
    var waiting = el("td", null, h.waiting_text);
    waiting.appendChild(el("br"));
    waiting.appendChild(el("span", "muted", "desde las " + h.since));
    var open = el("td");
    var link = el("a", "button button--small", "Abrir");
    link.href = "/handoffs/" + encodeURIComponent(h.id);
    link.appendChild(el("span", "sr-only", " la conversación " + h.id));
    open.appendChild(link);
    tr.append(status, priority, el("td", null, h.reason_text || h.reason), el("td", null, h.service),
      el("td", "description", h.description || "—"), waiting, el("td", null, h.agent || "—"), open);
    return tr;
  }

  function startQueue() {
    var body = document.getElementById("queue-body");
    var count = document.getElementById("queue-count");
    var updated = document.getElementById("queue-updated");
    var lastWaiting = null;
    function refresh() {
      getJson("/api/desk/queue").then(function (data) {
        var rows = document.createDocumentFragment();
        data.handoffs.forEach(function (h) { rows.appendChild(queueRow(h)); });
        if (!data.handoffs.length) {
          var empty = el("tr", "empty");
          var cell = el("td", null, "No hay conversaciones todavía.");
          cell.colSpan = 8;
          empty.appendChild(cell);
          rows.appendChild(empty);
        }
        body.replaceChildren(rows);
        count.textContent = data.waiting_text;
        // Announced (aria-live) only when the number waiting changes, not every 3 s.
        if (lastWaiting !== null && data.waiting !== lastWaiting) {
          updated.textContent = data.waiting_text + " (" + data.updated + ")";
        }
        lastWaiting = data.waiting;
      }).catch(function () {
        updated.textContent = "No se pudo actualizar la cola; reintentando…";
      }).then(function () { setTimeout(refresh, QUEUE_MS); });
    }
    refresh();
  }

  // ----------------------------------------------------------- conversation

  function lineNode(line) {
    var who = line.from === "asesor" ? (line.agent || "Asesor")
      : line.from === "cliente" ? "Cliente" : line.from === "asistente" ? "Asistente virtual" : "Aviso";
    var li = el("li", "line line--" + line.from);
    li.appendChild(el("span", "line__who", who));
    li.appendChild(el("time", "line__time", timeOf(line.timestamp)));
    li.appendChild(el("p", "line__text", line.text));
    return li;
  }

  function startConversation() {
    var id = document.body.getAttribute("data-handoff-id");
    var shownStatus = document.body.getAttribute("data-status");
    var shownAgent = document.body.getAttribute("data-agent-id");
    var list = document.getElementById("live-transcript");
    var error = document.getElementById("live-error");
    var notice = document.getElementById("aviso");
    var form = document.getElementById("reply-form");
    var shown = list.children.length;

    function showNotice(text, isError) {
      if (!notice) return;
      notice.hidden = false;
      notice.className = "notice " + (isError ? "notice--error" : "notice--info");
      notice.setAttribute("role", isError ? "alert" : "status");
      notice.textContent = text;
    }

    function poll() {
      return getJson("/api/desk/handoffs/" + encodeURIComponent(id)).then(function (data) {
        var h = data.handoff;
        if (h.status !== shownStatus || String(h.agent_id || "") !== shownAgent) {
          // Someone took, handed back or closed it, or it expired: the actions change.
          var typing = form && form.elements.text && form.elements.text.value;
          if (!typing) {
            window.location.assign("/handoffs/" + encodeURIComponent(id));
            return;
          }
        }
        error.textContent = data.error || "";
        var lines = data.transcript || [];
        if (lines.length < shown) {
          list.replaceChildren();
          shown = 0;
        }
        for (var i = shown; i < lines.length; i++) list.appendChild(lineNode(lines[i]));
        if (lines.length !== shown) list.scrollTop = list.scrollHeight;
        shown = lines.length;
      });
    }

    function loop() {
      poll().catch(function () {
        error.textContent = "No se pudo actualizar la conversación; reintentando…";
      }).then(function () { setTimeout(loop, LIVE_MS); });
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = form.elements.text.value.trim();
        if (!text) {
          showNotice("Escriba un mensaje antes de enviarlo.", true);
          return;
        }
        var button = form.querySelector("button[type=submit]");
        button.disabled = true;
        fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRF-Token": csrf }
        }).then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error(body.message || "No se pudo enviar el mensaje.");
            form.elements.text.value = "";
            if (notice) notice.hidden = true;
            return poll();
          });
        }).catch(function (e) {
          showNotice(e.message || "No se pudo enviar el mensaje.", true);
        }).then(function () {
          button.disabled = false;
          form.elements.text.focus();
        });
      });
      form.elements.text.addEventListener("keydown", function (event) {
        // Enter sends, Shift+Enter starts a new line.
        if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    }
    setTimeout(loop, LIVE_MS);
  }

  var pageName = document.body.getAttribute("data-page");
  if (pageName === "queue") startQueue();
  if (pageName === "conversation") startConversation();
})();
