/*
 * Support chat widget (plain JS, no framework, no build step).
 *
 * Talks to Rasa's socket.io channel (credentials.yml `socketio:`, session
 * persistence on). The socket.io session id is the Rasa sender id: keeping it
 * in localStorage and sending it in `session_request` after every (re)connect
 * keeps one conversation across reloads. Message text is only ever inserted as
 * text nodes — the bot repeats what customers wrote in some answers, and
 * anything in localStorage could have been tampered with.
 *
 * Who is answering: the agent desk's messages arrive with a `speaker` ({kind:
 * "agent", name, role} or {kind: "assistant"}) and a `handoff` step ("taken",
 * "reply", "returned", "closed"; desk/routes/agent_actions.py). While an agent
 * attends, the header names them, their messages carry their name and role (a
 * bubble of their own, and the same words for screen readers), and the
 * assistant's typing indicator stays away; when they hand back or close, the
 * header is the assistant's again. Otherwise the header says what is true at
 * any hour: a virtual assistant, and the agents' published hours (config.js,
 * from schedule/channels.yml).
 */
(function () {
  "use strict";

  var config = window.CHAT_CONFIG || {};
  var RASA_URL = config.rasaUrl || "http://127.0.0.1:5005";
  var KEYS = {
    session: "certichat.session", history: "certichat.history", open: "certichat.open", agent: "certichat.agent"
  };
  var AGENT_HOURS = typeof config.agentHours === "string" ? config.agentHours : "";
  var ASSISTANT_TITLE = "Asistente virtual";
  var MAX_HISTORY = 200;
  // Replies take ~0.1 s; this long a silence means the server is not answering.
  var REPLY_TIMEOUT_MS = 20000;

  // ------------------------------------------------------------ links in text

  // One pass over the text, alternatives in priority order. Phones: Colombian
  // numbers as the company publishes them — "(601) 7442727", "(601) 745 2141"
  // (landline, area code 601–608) and "(57) 318 717 49 37" (mobile) — also
  // with a "+57" prefix.
  var LINK = new RegExp([
    "(https?:\\/\\/[^\\s<>\"'«»]+)",
    "(mailto:[^\\s<>\"'«»]+)",
    "([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+)",
    "((?:\\+57\\s?)?\\(\\s*60[1-8]\\s*\\)\\s?\\d{3}[ .-]?\\d{4}(?!\\d))",
    "(\\+57\\s?60[1-8]\\s?\\d{3}[ .-]?\\d{4}(?!\\d))",
    "((?:\\(\\s*\\+?57\\s*\\)|\\+57)\\s?3\\d{2}[ .-]?\\d{3}[ .-]?\\d{2}[ .-]?\\d{2}(?!\\d))"
  ].join("|"), "g");

  // Sentence punctuation after a URL belongs to the sentence, not the link.
  function trimUrl(url) {
    while (url.length) {
      var last = url.charAt(url.length - 1);
      if (".,;:!?]}".indexOf(last) >= 0) {
        url = url.slice(0, -1);
      } else if (last === ")" && url.split("(").length < url.split(")").length) {
        url = url.slice(0, -1); // an unbalanced ")" closes the surrounding sentence
      } else {
        break;
      }
    }
    return url;
  }

  function telHref(number) {
    var digits = number.replace(/\D/g, "");
    return "tel:+" + (digits.length === 12 && digits.indexOf("57") === 0 ? digits : "57" + digits);
  }

  /** Splits text into [{text}, {text, href}] parts; hrefs are only http(s), mailto: or tel:. */
  function linkParts(text) {
    var parts = [];
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text)) !== null) {
      var raw = match[0];
      var href;
      var label;
      if (match[1] || match[2]) {
        raw = trimUrl(raw);
        if (raw.length < (match[1] ? 9 : 8)) continue; // a bare scheme is no link
        href = raw;
        label = raw;
        if (match[2] && raw.indexOf("?") > 0) {
          // A pre-filled e-mail link is long and percent-encoded: show the address.
          label = safeDecode(raw.slice(7, raw.indexOf("?")));
        }
      } else if (match[3]) {
        href = "mailto:" + raw;
        label = raw;
      } else {
        href = telHref(raw);
        label = raw;
      }
      if (match.index > last) parts.push({ text: text.slice(last, match.index) });
      parts.push({ text: label, href: href });
      last = match.index + raw.length;
      LINK.lastIndex = last;
    }
    if (last < text.length) parts.push({ text: text.slice(last) });
    return parts;
  }

  function safeDecode(value) {
    try { return decodeURIComponent(value); } catch (e) { return value; }
  }

  // ------------------------------------------------------------------ storage

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: no persistence */ }
  }

  function loadHistory() {
    try {
      var items = JSON.parse(load(KEYS.history) || "[]");
      return Array.isArray(items) ? items.filter(function (m) {
        return m && ["bot", "user", "agent", "event"].indexOf(m.from) >= 0 && typeof m.text === "string";
      }).map(function (m) {
        return m.from === "agent" ? { from: "agent", text: m.text, ts: m.ts, agent: cleanAgent(m.agent) } : m;
      }) : [];
    } catch (e) {
      return [];
    }
  }

  /** {name, role} with text values only, or null (what the desk sent, or what storage kept). */
  function cleanAgent(agent) {
    if (!agent || typeof agent !== "object" || typeof agent.name !== "string" || !agent.name) return null;
    return { name: agent.name.slice(0, 100), role: typeof agent.role === "string" ? agent.role.slice(0, 100) : "" };
  }

  function loadAgent() {
    try { return cleanAgent(JSON.parse(load(KEYS.agent) || "null")); } catch (e) { return null; }
  }

  function agentLabel(agent) {
    return agent.role ? agent.name + ", " + agent.role : agent.name;
  }

  // --------------------------------------------------------------------- DOM

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  var timeFormat = (function () {
    try {
      return new Intl.DateTimeFormat("es-CO", {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "America/Bogota"
      });
    } catch (e) {
      return null;
    }
  })();

  function formatTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    if (timeFormat) return timeFormat.format(date);
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  function build() {
    var root = el("div", "cw");

    var launcher = el("button", "cw-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-controls", "cw-panel");
    launcher.setAttribute("aria-expanded", "false");
    launcher.appendChild(chatIcon());
    launcher.appendChild(el("span", "cw-launcher__text", "Chat de soporte"));
    var badge = el("span", "cw-badge");
    badge.hidden = true;
    badge.setAttribute("aria-hidden", "true");
    launcher.appendChild(badge);

    var panel = el("section", "cw-panel");
    panel.id = "cw-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "cw-title");
    panel.setAttribute("aria-describedby", "cw-status");

    // A div, not a <header>: inside the dialog a header would be a second banner landmark.
    var header = el("div", "cw-header");
    var avatar = el("span", "cw-avatar");
    avatar.setAttribute("aria-hidden", "true");
    var titles = el("div", "cw-header__titles");
    var title = el("h2", "cw-title", ASSISTANT_TITLE);
    title.id = "cw-title";
    // Who answers here, at any hour: the assistant, and the agents' published hours.
    var status = el("p", "cw-status");
    status.id = "cw-status";
    // The connection, only while it is not ready (announced to screen readers).
    var connection = el("p", "cw-conn", "Conectando…");
    connection.setAttribute("role", "status");
    titles.append(title, status, connection);
    var closeButton = el("button", "cw-close");
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", "Cerrar el chat");
    closeButton.appendChild(el("span", null, "×")).setAttribute("aria-hidden", "true");
    header.append(avatar, titles, closeButton);

    var log = el("div", "cw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversación de soporte");
    // Focusable so keyboard users can scroll a long conversation.
    log.tabIndex = 0;

    var typing = el("div", "cw-typing");
    typing.id = "cw-typing";
    typing.hidden = true;
    typing.setAttribute("role", "status");
    var dots = el("span", "cw-typing__dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span"), el("span"), el("span"));
    typing.append(dots, el("span", "cw-typing__text", "El asistente está escribiendo…"));

    var form = el("form", "cw-form");
    form.setAttribute("novalidate", "");
    var label = el("label", "cw-sr", "Escriba su mensaje");
    label.htmlFor = "cw-input";
    var input = el("input", "cw-input");
    input.id = "cw-input";
    input.type = "text";
    input.autocomplete = "off";
    input.maxLength = 1000;
    input.placeholder = "Escriba su consulta…";
    input.setAttribute("enterkeyhint", "send");
    var send = el("button", "cw-send", "Enviar");
    send.type = "submit";
    form.append(label, input, send);

    panel.append(header, log, typing, form);
    root.append(launcher, panel);
    document.body.appendChild(root);
    return {
      launcher: launcher, badge: badge, panel: panel, status: status, connection: connection, title: title,
      avatar: avatar, closeButton: closeButton, log: log, typing: typing, form: form, input: input
    };
  }

  // ------------------------------------------------------------------- widget

  var ui;
  var socket = null;
  var sessionId = load(KEYS.session);
  var confirmed = false;
  var outbox = [];
  var history = loadHistory();
  var greetSent = false;
  var unread = 0;
  var replyTimer = null;
  var attending = loadAgent(); // the agent attending now ({name, role}), or null: the assistant

  function isOpen() {
    return ui && !ui.panel.hidden;
  }

  /** The connection's state; "" once connected (the header then says only who answers). */
  function setStatus(text) {
    if (ui.connection.textContent !== text) ui.connection.textContent = text;
    ui.connection.hidden = !text;
  }

  /** The header: who answers now. */
  function showWhoAnswers() {
    if (attending) {
      ui.title.textContent = agentLabel(attending);
      ui.status.textContent = "Le atiende una persona del equipo de soporte";
      ui.avatar.textContent = attending.name.charAt(0).toUpperCase();
      ui.panel.classList.add("cw--agent");
    } else {
      ui.title.textContent = ASSISTANT_TITLE;
      ui.status.textContent = AGENT_HOURS ? "Asesores: " + AGENT_HOURS : "Respondo a cualquier hora";
      ui.avatar.textContent = "AV";
      ui.panel.classList.remove("cw--agent");
    }
  }

  function setAttending(agent) {
    attending = agent;
    save(KEYS.agent, JSON.stringify(agent));
    showWhoAnswers();
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  // "7:00 a. m." must not wrap inside: the assistant writes plain spaces (so
  // its text stays searchable), the widget displays no-break spaces.
  function keepTimesTogether(text) {
    return text.replace(/(\d) ([ap])\. m\./g, "$1\u00a0$2.\u00a0m.");
  }

  function speakerOf(message) {
    if (message.from === "user") return "Usted";
    if (message.from === "agent" && message.agent) return agentLabel(message.agent);
    return ASSISTANT_TITLE;
  }

  function messageNode(message) {
    if (message.from === "event") {
      // The desk's notice: who attends from now on (or that the assistant is back). Its text names them.
      var notice = el("p", "cw-event");
      notice.appendChild(document.createTextNode(message.text));
      return notice;
    }
    var item = el("div", "cw-msg cw-msg--" + message.from);
    if (message.from === "agent" && message.agent) {
      // Who writes, on every agent message: name and role (screen readers hear it once, below).
      var who = el("p", "cw-who", agentLabel(message.agent));
      who.setAttribute("aria-hidden", "true");
      item.appendChild(who);
    }
    var bubble = el("p", "cw-bubble");
    // Screen readers hear who speaks; the bubble says it to sighted users.
    bubble.appendChild(el("span", "cw-sr", speakerOf(message) + ": "));
    if (message.from !== "user") {
      linkParts(message.text).forEach(function (part) {
        if (!part.href) {
          bubble.appendChild(document.createTextNode(keepTimesTogether(part.text)));
          return;
        }
        var a = el("a", "cw-link", part.text);
        a.href = part.href;
        if (/^https?:/.test(part.href)) {
          a.target = "_blank";
          a.rel = "noopener noreferrer";
        }
        bubble.appendChild(a);
      });
    } else {
      bubble.appendChild(document.createTextNode(message.text));
    }
    item.appendChild(bubble);
    var time = el("time", "cw-time", formatTime(message.ts));
    time.dateTime = message.ts;
    item.appendChild(time);
    return item;
  }

  function quickRepliesNode(buttons) {
    var group = el("div", "cw-quick");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Opciones de respuesta");
    buttons.forEach(function (button) {
      var b = el("button", "cw-quick__button", button.title);
      b.type = "button";
      b.addEventListener("click", function () {
        sendFromCustomer(button.payload, button.title);
        ui.input.focus(); // the pressed button is removed with its group
      });
      group.appendChild(b);
    });
    return group;
  }

  function removeQuickReplies() {
    var groups = ui.log.querySelectorAll(".cw-quick");
    for (var i = 0; i < groups.length; i++) groups[i].remove();
  }

  function renderHistory() {
    ui.log.textContent = "";
    var lastUser = -1;
    history.forEach(function (m, i) { if (m.from === "user") lastUser = i; });
    history.forEach(function (message, i) {
      ui.log.appendChild(messageNode(message));
      // Only options offered after the customer's last message can still be chosen.
      if (i > lastUser && message.buttons && message.buttons.length) {
        ui.log.appendChild(quickRepliesNode(message.buttons));
      }
    });
    scrollToEnd();
  }

  function addMessage(message) {
    history.push(message);
    if (history.length > MAX_HISTORY) history = history.slice(-MAX_HISTORY);
    save(KEYS.history, JSON.stringify(history));
    ui.log.appendChild(messageNode(message));
    if (message.buttons && message.buttons.length) ui.log.appendChild(quickRepliesNode(message.buttons));
    scrollToEnd();
  }

  function addNotice(text) {
    // Not stored: connection trouble is not part of the conversation.
    ui.log.appendChild(el("p", "cw-notice", text));
    scrollToEnd();
  }

  function showTyping() {
    if (attending) return; // a person answers at their own pace: no "assistant is typing", no timeout
    ui.typing.hidden = false;
    scrollToEnd();
    clearTimeout(replyTimer);
    replyTimer = setTimeout(function () {
      hideTyping();
      addNotice("El asistente no respondió. Revise su conexión e intente de nuevo en un momento.");
    }, REPLY_TIMEOUT_MS);
  }

  function hideTyping() {
    clearTimeout(replyTimer);
    ui.typing.hidden = true;
  }

  function updateBadge() {
    ui.badge.hidden = unread === 0;
    ui.badge.textContent = unread > 9 ? "9+" : String(unread);
    ui.launcher.setAttribute("aria-label", unread
      ? "Abrir el chat de soporte (" + unread + (unread === 1 ? " mensaje nuevo)" : " mensajes nuevos)")
      : "Abrir el chat de soporte");
  }

  function deliver(text) {
    showTyping();
    if (socket && socket.connected && confirmed) {
      socket.emit("user_uttered", { message: text, session_id: sessionId });
    } else {
      outbox.push(text);
      connect();
    }
  }

  function sendFromCustomer(payload, shown) {
    removeQuickReplies();
    addMessage({ from: "user", text: shown, ts: new Date().toISOString() });
    deliver(payload);
  }

  function greet() {
    // The welcome and its menu come from domain.yml (utter_greet), not from here.
    greetSent = true;
    deliver("/greet");
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    var text = typeof data.text === "string" ? data.text : "";
    var speaker = data.speaker && typeof data.speaker === "object" ? data.speaker : null;
    var step = typeof data.handoff === "string" ? data.handoff : "";
    if (step) {
      onDeskMessage(text, step, speaker && speaker.kind === "agent" ? cleanAgent(speaker) : null);
      return;
    }
    // Rasa's socket.io channel sends buttons as `quick_replies`; other outputs use `buttons`.
    var raw = data.quick_replies || data.buttons || [];
    var buttons = (Array.isArray(raw) ? raw : []).filter(function (b) {
      return b && b.title != null && b.payload != null;
    }).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
    if (!text && !buttons.length) return;
    hideTyping();
    addMessage({ from: "bot", text: text, buttons: buttons, ts: new Date().toISOString() });
    if (!isOpen()) {
      unread += 1;
      updateBadge();
    }
  }

  /** A message of the agent desk: who attends changes with "taken", "returned" and "closed". */
  function onDeskMessage(text, step, agent) {
    if (!text) return;
    hideTyping();
    if (step === "taken" && agent) setAttending(agent);
    if (step === "reply") {
      addMessage({ from: agent ? "agent" : "bot", text: text, agent: agent, ts: new Date().toISOString() });
    } else {
      addMessage({ from: "event", text: text, ts: new Date().toISOString() });
    }
    if (step === "returned" || step === "closed") setAttending(null);
    if (!isOpen()) {
      unread += 1;
      updateBadge();
    }
  }

  function onSessionConfirm(data) {
    var id = typeof data === "string" ? data : data && data.session_id;
    if (!id) return;
    if (sessionId && id !== sessionId) {
      // The server started another conversation: the stored one no longer applies.
      history = [];
      save(KEYS.history, "[]");
      setAttending(null);
      renderHistory();
    }
    sessionId = id;
    save(KEYS.session, id);
    confirmed = true;
    setStatus("");
    while (outbox.length) socket.emit("user_uttered", { message: outbox.shift(), session_id: sessionId });
    if (!history.length && !greetSent && isOpen()) greet();
  }

  function connect() {
    if (socket) return;
    if (typeof window.io !== "function") {
      setStatus("Sin conexión");
      addNotice("No se pudo cargar el chat. Recargue la página o intente más tarde.");
      return;
    }
    // WebSocket only: no long-polling requests, hence no CORS preflights against Rasa.
    socket = window.io(RASA_URL, { path: config.socketPath || "/socket.io", transports: ["websocket"] });
    socket.on("connect", function () {
      confirmed = false;
      // Re-sent after every reconnection: the new socket must join the session's room.
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotMessage);
    socket.on("disconnect", function () {
      confirmed = false;
      setStatus("Sin conexión. Reintentando…");
    });
    socket.on("connect_error", function () {
      setStatus("Sin conexión. Reintentando…");
    });
  }

  function open(moveFocus) {
    ui.panel.hidden = false;
    ui.launcher.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "true");
    save(KEYS.open, "1");
    unread = 0;
    updateBadge();
    scrollToEnd();
    connect();
    if (confirmed && !history.length && !greetSent) greet();
    if (moveFocus !== false) ui.input.focus();
  }

  function close() {
    ui.panel.hidden = true;
    ui.launcher.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "false");
    save(KEYS.open, "0");
    ui.launcher.focus();
  }

  function init() {
    ui = build();
    showWhoAnswers();
    updateBadge();
    renderHistory();
    ui.launcher.addEventListener("click", function () { open(); });
    ui.closeButton.addEventListener("click", close);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      sendFromCustomer(text, text);
    });
    var openers = document.querySelectorAll("[data-chat-open]");
    for (var i = 0; i < openers.length; i++) {
      openers[i].addEventListener("click", function () { open(); });
    }
    // A returning customer gets replies (and agent messages) without opening the panel.
    if (sessionId) connect();
    // After a reload the panel stays as the customer left it, without stealing focus.
    if (load(KEYS.open) === "1") open(false);
  }

  // Exposed for embedding pages (open/close from their own buttons) and for the browser tests.
  window.CertiChat = {
    open: function () { open(); },
    close: function () { close(); },
    linkParts: linkParts
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
