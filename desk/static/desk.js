/*
 * Agent desk: the live parts of the pages (plain JS, no framework).
 *
 * Queue page: refreshes the table every 3 s from /api/desk/queue and counts each waiting
 * conversation's time left down every second (its SLA: received + DESK_QUEUE_TIMEOUT).
 * Queue and conversation pages: a new hand-off changes the tab's title, plays a short
 * sound and, when the agent allowed it, shows a browser notification.
 * Conversation page: polls /api/desk/handoffs/{id} every 1.5 s for the live transcript
 * (read by the desk from Rasa's tracker), keeps the conversation pinned to its newest
 * message, sends replies and internal notes without reloading, and puts a canned reply
 * in the reply box. Every text from the server is inserted with textContent, never as
 * HTML: it is customer text. POSTs carry the CSRF token from <meta name="csrf-token">.
 */
(function () {
  "use strict";

  var QUEUE_MS = 3000;
  var LIVE_MS = 1500;
  var PIN_SLACK_PX = 48; // "at the bottom" within this distance: new lines keep it pinned
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var serverOffsetMs = 0; // server clock - browser clock, from the API's "now"

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
          if (typeof body.now === "number") serverOffsetMs = body.now * 1000 - Date.now();
          return body;
        });
      });
  }

  function postForm(form) {
    return fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": csrf }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.message || "No se pudo guardar.");
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

  // --------------------------------------------------------------- SLA countdown

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (minutes >= 60) return Math.floor(minutes / 60) + " h " + ("0" + (minutes % 60)).slice(-2) + " min";
    if (minutes) return minutes + " min " + ("0" + rest).slice(-2) + " s";
    return rest + " s";
  }

  function tickCountdowns() {
    var now = (Date.now() + serverOffsetMs) / 1000;
    var nodes = document.querySelectorAll(".countdown[data-deadline]");
    for (var i = 0; i < nodes.length; i++) {
      var left = parseFloat(nodes[i].getAttribute("data-deadline")) - now;
      var text = left > 0 ? "quedan " + duration(left) : "tiempo agotado";
      if (nodes[i].textContent !== text) nodes[i].textContent = text;
      nodes[i].classList.toggle("countdown--late", left <= 60);
    }
  }

  // ------------------------------------------------------- new hand-off alerts

  var SEEN_KEY = "desk.seenQueued";
  var baseTitle = document.title;
  var audio = null;

  function seenIds() {
    try {
      var value = window.sessionStorage.getItem(SEEN_KEY);
      return value === null ? null : JSON.parse(value);
    } catch (e) {
      return null;
    }
  }

  function remember(ids) {
    try { window.sessionStorage.setItem(SEEN_KEY, JSON.stringify(ids)); } catch (e) { /* private mode */ }
  }

  function unlockAudio() {
    // Browsers let a page play sound once the person has interacted with it.
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { audio = null; }
  }

  function beep() {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      var now = audio.currentTime;
      [880, 1320].forEach(function (frequency, i) {
        var tone = audio.createOscillator();
        var volume = audio.createGain();
        tone.type = "sine";
        tone.frequency.value = frequency;
        volume.gain.setValueAtTime(0.0001, now + i * 0.18);
        volume.gain.exponentialRampToValueAtTime(0.25, now + i * 0.18 + 0.02);
        volume.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.16);
        tone.connect(volume).connect(audio.destination);
        tone.start(now + i * 0.18);
        tone.stop(now + i * 0.18 + 0.17);
      });
    } catch (e) { /* no Web Audio: the title and the notification still tell */ }
  }

  function notify(fresh) {
    var first = fresh[0];
    var text = fresh.length === 1 ? "Nueva conversación en espera" : fresh.length + " conversaciones nuevas en espera";
    document.title = "(" + fresh.length + ") " + text + " · Mesa de asesores";
    var alert = document.getElementById("desk-alert");
    if (alert) alert.textContent = text + ": " + (first.reason_text || "") + ".";
    beep();
    if ("Notification" in window && window.Notification.permission === "granted") {
      try {
        var shown = new window.Notification(text, {
          body: (first.priority === "1" ? "Prioridad 1 (crítica). " : "") + (first.reason_text || "") +
            (first.description ? " · " + first.description : ""),
          tag: "handoff-" + first.id, lang: "es-CO"
        });
        shown.onclick = function () {
          window.focus();
          window.location.assign("/handoffs/" + encodeURIComponent(first.id));
        };
      } catch (e) { /* notifications refused by the platform */ }
    }
  }

  var alertUntil = 0; // the "new conversation" title stays this long (ms since epoch)

  function watchQueue(handoffs, waiting) {
    var queued = handoffs.filter(function (h) { return h.status === "queued"; });
    var ids = queued.map(function (h) { return h.id; });
    var seen = seenIds();
    // The first look of a browser session sets what is already known: no alert at sign-in.
    var fresh = seen === null ? [] : queued.filter(function (h) { return seen.indexOf(h.id) < 0; });
    if (fresh.length) {
      notify(fresh);
      alertUntil = Date.now() + 15000;
    } else if (Date.now() > alertUntil) {
      document.title = waiting ? "(" + waiting + " en espera) " + baseTitle : baseTitle;
    }
    remember(ids);
  }

  function setupNotifications() {
    var setup = document.getElementById("notify-setup");
    var button = document.getElementById("notify-enable");
    if (!setup || !button || !("Notification" in window)) return;
    if (window.Notification.permission === "default") setup.hidden = false;
    button.addEventListener("click", function () {
      unlockAudio();
      window.Notification.requestPermission().then(function () {
        setup.hidden = window.Notification.permission !== "default";
      });
    });
  }

  function pollQueueForAlerts() {
    getJson("/api/desk/queue").then(function (data) {
      watchQueue(data.handoffs, data.waiting);
    }).catch(function () { /* the page's own polling reports trouble */ })
      .then(function () { setTimeout(pollQueueForAlerts, QUEUE_MS); });
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
    var sla = el("td", "sla");
    if (h.status === "queued") {
      var countdown = el("span", "countdown", h.sla_text);
      countdown.setAttribute("data-deadline", String(h.deadline));
      sla.appendChild(countdown);
    } else {
      sla.textContent = h.sla_text || "—";
    }
    var open = el("td");
    var link = el("a", "button button--small", "Abrir");
    link.href = "/handoffs/" + encodeURIComponent(h.id);
    link.appendChild(el("span", "sr-only", " la conversación " + h.id));
    open.appendChild(link);
    tr.append(status, priority, el("td", null, h.reason_text || h.reason), el("td", null, h.service),
      el("td", "description", h.description || "—"), waiting, sla, el("td", null, h.agent || "—"), open);
    return tr;
  }

  function startQueue() {
    var body = document.getElementById("queue-body");
    var count = document.getElementById("queue-count");
    var updated = document.getElementById("queue-updated");
    var onDuty = document.getElementById("on-duty");
    var lastWaiting = null;
    setupNotifications();
    function refresh() {
      getJson("/api/desk/queue").then(function (data) {
        var rows = document.createDocumentFragment();
        data.handoffs.forEach(function (h) { rows.appendChild(queueRow(h)); });
        if (!data.handoffs.length) {
          var empty = el("tr", "empty");
          var cell = el("td", null, "No hay conversaciones todavía.");
          cell.colSpan = 9;
          empty.appendChild(cell);
          rows.appendChild(empty);
        }
        body.replaceChildren(rows);
        tickCountdowns();
        count.textContent = data.waiting_text;
        if (onDuty && data.on_duty_text) onDuty.textContent = data.on_duty_text;
        // Announced (aria-live) only when the number waiting changes, not every 3 s.
        if (lastWaiting !== null && data.waiting !== lastWaiting) {
          updated.textContent = data.waiting_text + " (" + data.updated + ")";
        }
        lastWaiting = data.waiting;
        watchQueue(data.handoffs, data.waiting);
      }).catch(function () {
        updated.textContent = "No se pudo actualizar la cola; reintentando…";
      }).then(function () { setTimeout(refresh, QUEUE_MS); });
    }
    refresh();
  }

  // ----------------------------------------------------------- conversation

  function lineNode(line) {
    var who = line.from === "asesor" ? (line.agent || "Asesor")
      : line.from === "cliente" ? "Cliente" : line.from === "asistente" ? "Asistente virtual"
        : line.from === "aviso" ? "Aviso al cliente" : "Aviso";
    var li = el("li", "line line--" + line.from);
    li.appendChild(el("span", "line__who", who));
    li.appendChild(el("time", "line__time", timeOf(line.timestamp)));
    li.appendChild(el("p", "line__text", line.text));
    return li;
  }

  function noteNode(note) {
    var li = el("li", "note");
    li.appendChild(el("span", "note__who", note.agent));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(el("time", "note__time", note.time));
    li.appendChild(el("p", "note__text", note.text));
    return li;
  }

  function pinToBottom(box) {
    box.scrollTop = box.scrollHeight;
  }

  function startConversation() {
    var id = document.body.getAttribute("data-handoff-id");
    var shownStatus = document.body.getAttribute("data-status");
    var shownAgent = document.body.getAttribute("data-agent-id");
    var box = document.getElementById("conversation-log");
    var list = document.getElementById("live-transcript");
    var error = document.getElementById("live-error");
    var notice = document.getElementById("aviso");
    var form = document.getElementById("reply-form");
    var noteForm = document.getElementById("note-form");
    var notesList = document.getElementById("notes-list");
    var notesEmpty = document.getElementById("notes-empty");
    var canned = document.getElementById("canned-reply");
    var shown = list.children.length;
    var shownNotes = notesList ? notesList.children.length : 0;

    // The newest message in view when the page opens (also right after a hand-back reloads it).
    pinToBottom(box);

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
        var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight <= PIN_SLACK_PX;
        if (lines.length < shown) {
          list.replaceChildren();
          shown = 0;
        }
        for (var i = shown; i < lines.length; i++) list.appendChild(lineNode(lines[i]));
        if (lines.length !== shown && atBottom) pinToBottom(box);
        shown = lines.length;
        var notes = data.notes || [];
        if (notesList && notes.length > shownNotes) {
          for (var n = shownNotes; n < notes.length; n++) notesList.appendChild(noteNode(notes[n]));
          shownNotes = notes.length;
          if (notesEmpty) notesEmpty.hidden = true;
        }
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
        postForm(form).then(function () {
          form.elements.text.value = "";
          if (notice) notice.hidden = true;
          pinToBottom(box);
          return poll().then(function () { pinToBottom(box); });
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
    if (canned && form) {
      canned.addEventListener("change", function () {
        var text = canned.value;
        if (!text) return;
        var reply = form.elements.text;
        reply.value = reply.value.trim() ? reply.value.replace(/\s+$/, "") + "\n" + text : text;
        canned.value = "";
        reply.focus();
        reply.setSelectionRange(reply.value.length, reply.value.length);
      });
    }
    if (noteForm) {
      noteForm.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!noteForm.elements.text.value.trim()) {
          showNotice("Escriba la nota antes de guardarla.", true);
          return;
        }
        var button = noteForm.querySelector("button[type=submit]");
        button.disabled = true;
        postForm(noteForm).then(function (body) {
          noteForm.elements.text.value = "";
          if (body.note && notesList) {
            notesList.appendChild(noteNode(body.note));
            shownNotes += 1;
            if (notesEmpty) notesEmpty.hidden = true;
          }
          showNotice(body.message || "Nota interna guardada.", false);
        }).catch(function (e) {
          showNotice(e.message || "No se pudo guardar la nota.", true);
        }).then(function () { button.disabled = false; });
      });
    }
    setTimeout(loop, LIVE_MS);
  }

  var pageName = document.body.getAttribute("data-page");
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  if (document.querySelector(".countdown[data-deadline]") || pageName === "queue") {
    tickCountdowns();
    setInterval(tickCountdowns, 1000);
  }
  if (pageName === "queue") startQueue();
  if (pageName === "conversation") {
    startConversation();
    pollQueueForAlerts();
  }
})();
