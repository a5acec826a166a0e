/*
 * Agent desk: the known-incidents banner at the top of every page (plain JS, no framework).
 *
 * Polls /api/desk/incidents every 5 s: every agent sees the open incidents (with a link to
 * each); supervisors and on-call accounts also see the open alerts ("Posible incidente …")
 * with a link that opens the declaration form pre-filled from the alert. A new alert is
 * announced to screen readers. The incidents pages show all of it themselves: no banner
 * there. Every text from the server is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;
  var OWN_PAGES = { incidents: true, incident: true, "incident-form": true, login: true };
  var page = document.body ? document.body.getAttribute("data-page") : "";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  if (!page || OWN_PAGES[page] || !csrf) return; // signed-out pages have no token

  var main = document.getElementById("contenido");
  if (!main) return;
  var region = document.createElement("section");
  region.id = "incident-banner";
  region.className = "incident-banner";
  region.setAttribute("aria-label", "Incidentes y alertas");
  region.hidden = true;
  var announcer = document.createElement("p");
  announcer.className = "sr-only";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  main.insertBefore(announcer, main.firstChild);
  main.insertBefore(region, main.firstChild);

  var shown = "";
  var knownAlerts = null;
  var timer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function link(href, text, className) {
    var a = el("a", className || "", text);
    a.href = href;
    return a;
  }

  function render(body) {
    var key = JSON.stringify([body.open, body.alerts]);
    if (key === shown) return;
    shown = key;
    while (region.firstChild) region.removeChild(region.firstChild);
    (body.alerts || []).forEach(function (alert) {
      var box = el("div", "incident-banner__alert");
      box.setAttribute("data-alert-id", String(alert.id));
      box.appendChild(el("p", "incident-banner__text", alert.text));
      var actions = el("p", "incident-banner__actions");
      actions.appendChild(link(alert.declare_href, "Declarar el incidente", "button button--primary button--small"));
      actions.appendChild(document.createTextNode(" "));
      actions.appendChild(link("/incidentes", "Ver los reportes", "button button--small"));
      box.appendChild(actions);
      region.appendChild(box);
    });
    (body.open || []).forEach(function (incident) {
      var line = el("p", "incident-banner__open");
      line.setAttribute("data-incident-id", String(incident.id));
      line.appendChild(document.createTextNode(incident.text + " "));
      line.appendChild(link(incident.href, "Ver el incidente"));
      region.appendChild(line);
    });
    region.hidden = !region.firstChild;
  }

  function announce(body) {
    var ids = (body.alerts || []).map(function (a) { return a.id; });
    if (knownAlerts !== null) {
      var fresh = (body.alerts || []).filter(function (a) { return knownAlerts.indexOf(a.id) < 0; });
      if (fresh.length) announcer.textContent = "Nueva alerta: posible incidente de " + fresh[0].service + ".";
    }
    knownAlerts = ids;
  }

  function poll() {
    fetch("/api/desk/incidents", { headers: { Accept: "application/json" }, credentials: "same-origin",
                                   cache: "no-store" })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) {
          window.clearInterval(timer);
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (!body) return;
        render(body);
        announce(body);
      })
      .catch(function () { /* the next round tries again */ });
  }

  poll();
  timer = window.setInterval(poll, POLL_MS);
})();
